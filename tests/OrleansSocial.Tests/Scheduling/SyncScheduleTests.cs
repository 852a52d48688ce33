using OrleansSocial.Channels;
using OrleansSocial.Grains.Channels.Scheduling;

namespace OrleansSocial.Tests.Scheduling;

/// <summary>Calendar arithmetic of scheduled syncs: month ends, leap years, ISO weeks, time zones, stagger.</summary>
public sealed class SyncScheduleTests
{
    private static readonly TimeZoneInfo Utc = TimeZoneInfo.Utc;
    private static readonly TimeSpan Offset = TimeSpan.FromMinutes(90);

    private static DateTimeOffset At(int year, int month, int day, int hour = 0, int minute = 0) => new(year, month, day, hour, minute, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(2028, 1, 31, 2028, 2, 1)]   // January's last day to February
    [InlineData(2028, 2, 15, 2028, 3, 1)]   // leap February
    [InlineData(2027, 2, 28, 2027, 3, 1)]   // common February's last day
    [InlineData(2028, 12, 31, 2029, 1, 1)]  // year end
    public void Monthly_is_due_on_the_first_of_each_calendar_month(int y, int m, int d, int ny, int nm, int nd)
    {
        var next = SyncSchedule.NextDue(SyncKinds.Monthly, At(y, m, d, 12), Utc, Offset);

        Assert.Equal(At(ny, nm, nd) + Offset, next);
    }

    [Fact]
    public void Twelve_monthly_dues_in_a_row_are_calendar_months_not_thirty_days()
    {
        var at = At(2028, 1, 15);
        var dues = new List<DateTimeOffset>();
        for (var i = 0; i < 12; i++)
        {
            at = SyncSchedule.NextDue(SyncKinds.Monthly, at, Utc, Offset);
            dues.Add(at);
        }

        Assert.All(dues, due => Assert.Equal(1, due.Day));
        Assert.Equal(Enumerable.Range(2, 11).Append(1), dues.Select(d => d.Month));
        Assert.Contains(dues.Zip(dues.Skip(1)), pair => (pair.Second - pair.First).TotalDays == 29); // February 2028
        Assert.Contains(dues.Zip(dues.Skip(1)), pair => (pair.Second - pair.First).TotalDays == 31);
    }

    [Fact]
    public void Daily_covers_the_leap_day()
    {
        var next = SyncSchedule.NextDue(SyncKinds.Daily, At(2028, 2, 28, 12), Utc, Offset);

        Assert.Equal(At(2028, 2, 29) + Offset, next);
        Assert.Equal(At(2028, 3, 1) + Offset, SyncSchedule.NextDue(SyncKinds.Daily, next, Utc, Offset));
    }

    [Theory]
    [InlineData(2028, 2, 28, 2028, 3, 6)]   // Monday (after its due) to next Monday, across a leap February
    [InlineData(2028, 12, 28, 2029, 1, 1)]  // a week spanning the year end
    [InlineData(2027, 3, 1, 2027, 3, 8)]
    public void Weekly_is_due_on_monday(int y, int m, int d, int ny, int nm, int nd)
    {
        var next = SyncSchedule.NextDue(SyncKinds.Weekly, At(y, m, d, 12), Utc, Offset);

        Assert.Equal(DayOfWeek.Monday, next.DayOfWeek);
        Assert.Equal(At(ny, nm, nd) + Offset, next);
    }

    [Fact]
    public void Last_due_is_the_one_a_tick_owes_and_catch_up_after_downtime_owes_only_the_latest()
    {
        // Before today's staggered due time, the owed daily sync is yesterday's.
        Assert.Equal(At(2028, 2, 28) + Offset, SyncSchedule.LastDue(SyncKinds.Daily, At(2028, 2, 29, 1), Utc, Offset));
        Assert.Equal(At(2028, 2, 29) + Offset, SyncSchedule.LastDue(SyncKinds.Daily, At(2028, 2, 29) + Offset, Utc, Offset));

        // Four days down: one tick afterwards owes one daily sync (the latest), not four.
        var lastDone = At(2028, 2, 26) + Offset;
        var owed = SyncSchedule.LastDue(SyncKinds.Daily, At(2028, 3, 1, 9), Utc, Offset);
        Assert.Equal(At(2028, 3, 1) + Offset, owed);
        Assert.True(owed > lastDone);
        Assert.Equal(At(2028, 3, 1) + Offset, SyncSchedule.LastDue(SyncKinds.Monthly, At(2028, 3, 20), Utc, Offset));
    }

    [Fact]
    public void Due_times_follow_the_tenants_time_zone_through_daylight_saving()
    {
        var paris = SyncSchedule.Zone("Europe/Paris");

        // Winter: local midnight is 23:00 UTC; summer (after 26 March 2028): 22:00 UTC.
        Assert.Equal(At(2028, 3, 24, 23), SyncSchedule.NextDue(SyncKinds.Daily, At(2028, 3, 24, 12), paris, TimeSpan.Zero));
        Assert.Equal(At(2028, 3, 27, 22), SyncSchedule.NextDue(SyncKinds.Daily, At(2028, 3, 27, 12), paris, TimeSpan.Zero));
        // Monthly: midnight of 1 April in Paris.
        Assert.Equal(At(2028, 3, 31, 22), SyncSchedule.NextDue(SyncKinds.Monthly, At(2028, 3, 15), paris, TimeSpan.Zero));
    }

    [Fact]
    public void An_unknown_zone_falls_back_to_utc() => Assert.Equal(TimeZoneInfo.Utc, SyncSchedule.Zone("Mars/Olympus_Mons"));

    [Fact]
    public void Stagger_offsets_are_stable_inside_the_window_and_spread_out()
    {
        var window = TimeSpan.FromHours(6);
        var offsets = Enumerable.Range(0, 10_000).Select(i => SyncSchedule.Offset($"tenant-{i / 10}/fb-{i}", window)).ToList();

        Assert.All(offsets, o => Assert.InRange(o, TimeSpan.Zero, window));
        Assert.Equal(offsets[42], SyncSchedule.Offset("tenant-4/fb-42", window));
        // Six one-hour buckets, each holding about a sixth of the channels: nobody piles up at midnight.
        var perHour = offsets.GroupBy(o => (int)o.TotalHours).Select(g => g.Count()).ToList();
        Assert.Equal(6, perHour.Count);
        Assert.All(perHour, count => Assert.InRange(count, 1_500, 1_850));
        Assert.Equal(TimeSpan.Zero, SyncSchedule.Offset("anything", TimeSpan.Zero));
    }
}
