using OrleansSocial.ReadModels.Analytics;

namespace OrleansSocial.Tests.Analytics;

/// <summary>The anomaly baseline: weekday-aware, robust, and held to the tenant's thresholds.</summary>
public sealed class AnomalyDetectorTests
{
    private static readonly DateTimeOffset Monday = new(2026, 11, 2, 8, 0, 0, TimeSpan.Zero);

    /// <summary>Four weeks of a series whose weekends run at a fifth of its weekdays, with day-to-day noise.</summary>
    private static List<(DateTimeOffset Day, double Value)> WeekdayShaped(DateTimeOffset first, int days = 28) =>
        [.. Enumerable.Range(0, days).Select(d =>
        {
            var day = first.AddDays(d);
            var weekday = 60 + (d * 37 % 29) - 14;
            return (day, day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? weekday * 0.2 : (double)weekday);
        })];

    [Fact]
    public void A_weekend_as_quiet_as_every_weekend_is_no_anomaly_though_it_is_far_below_the_weeks_median()
    {
        var baseline = WeekdayShaped(Monday);
        var saturday = Monday.AddDays(33);
        Assert.Equal(DayOfWeek.Saturday, saturday.DayOfWeek);

        Assert.Null(AnomalyDetector.Judge(baseline, saturday, 11, AnomalyThresholds.Default));
        // A baseline blind to weekdays would flag it: it is a fifth of the median day.
        var median = baseline.Select(b => b.Value).Order().ElementAt(14);
        Assert.True(11 < median / 4);
    }

    [Fact]
    public void A_weekday_drop_and_a_spike_are_anomalies_with_their_direction_and_expected_range()
    {
        var baseline = WeekdayShaped(Monday);
        var wednesday = Monday.AddDays(30);

        var drop = AnomalyDetector.Judge(baseline, wednesday, 3, AnomalyThresholds.Default);
        var spike = AnomalyDetector.Judge(baseline, wednesday, 600, AnomalyThresholds.Default);

        Assert.Equal(AnomalyDetector.Drop, drop?.Direction);
        Assert.InRange(drop!.Value.Expected, 45, 75);
        Assert.True(drop.Value.Low > 3 && drop.Value.High < 600, drop.ToString());
        Assert.Equal(AnomalyDetector.Spike, spike?.Direction);
        Assert.Null(AnomalyDetector.Judge(baseline, wednesday, 58, AnomalyThresholds.Default));
    }

    [Fact]
    public void Thresholds_and_a_short_baseline_hold_judgement_back()
    {
        var baseline = WeekdayShaped(Monday);
        var wednesday = Monday.AddDays(30);

        // Half the expected day: an anomaly by default, not for a tenant asking for a 60 % move or for 20 deviations.
        Assert.NotNull(AnomalyDetector.Judge(baseline, wednesday, 30, AnomalyThresholds.Default));
        Assert.Null(AnomalyDetector.Judge(baseline, wednesday, 30, AnomalyThresholds.Default with { MinimumChange = 0.6 }));
        Assert.Null(AnomalyDetector.Judge(baseline, wednesday, 30, AnomalyThresholds.Default with { Deviations = 20 }));
        Assert.Null(AnomalyDetector.Judge(WeekdayShaped(Monday, AnomalyDetector.MinimumBaseline - 1), wednesday, 3, AnomalyThresholds.Default));
    }
}
