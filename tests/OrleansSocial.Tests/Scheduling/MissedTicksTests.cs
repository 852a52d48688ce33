using OrleansSocial.Host.Reminders;

namespace OrleansSocial.Tests.Scheduling;

/// <summary>When a reminder last fell due, computed from its definition: what the catch-up after a crash looks at.</summary>
public sealed class MissedTicksTests
{
    private static readonly DateTime Start = new(2026, 12, 2, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Before_the_first_tick_nothing_fell_due() =>
        Assert.Null(MissedTicks.LastDue(Start, TimeSpan.FromHours(1), Start.AddSeconds(-1)));

    [Theory]
    [InlineData(0, 0)]
    [InlineData(59, 0)]
    [InlineData(60, 60)]
    [InlineData(61, 60)]
    [InlineData(3600 + 30, 3600)]
    public void The_last_tick_is_the_first_plus_whole_periods(int secondsAfterStart, int expectedSecondsAfterStart) =>
        Assert.Equal(Start.AddSeconds(expectedSecondsAfterStart), MissedTicks.LastDue(Start, TimeSpan.FromMinutes(1), Start.AddSeconds(secondsAfterStart)));

    [Fact]
    public void A_reminder_without_a_period_fell_due_once() =>
        Assert.Equal(Start, MissedTicks.LastDue(Start, TimeSpan.Zero, Start.AddDays(3)));
}
