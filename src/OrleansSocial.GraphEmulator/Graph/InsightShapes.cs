using System.Collections.Concurrent;

namespace OrleansSocial.GraphEmulator.Graph;

/// <summary>
/// What tests and demos ask of the emulator's daily insight values: a weekly shape (weekend days
/// scaled by <see cref="EmulatorOptions.WeekendFactor"/>; 1 leaves the world as it always was) and
/// one-off changes of one metric on one day (a drop or a spike an anomaly alert should see).
/// </summary>
public sealed class InsightShapes(double weekendFactor, TimeZoneInfo pacific)
{
    private readonly ConcurrentDictionary<(string ObjectId, string Metric, DateOnly Day), double> _changes = new();

    /// <summary>Multiplies the metric's value of the object on a (Pacific) day by <paramref name="factor"/> from now on.</summary>
    public void Change(string objectId, string metric, DateOnly day, double factor) => _changes[(objectId, metric, day)] = factor;

    /// <summary>The day's value as shaped; <paramref name="dayEnd"/> is Graph's <c>end_time</c>, the end of the Pacific day.</summary>
    public long Apply(string objectId, string metric, DateTimeOffset dayEnd, long value)
    {
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(dayEnd.AddSeconds(-1), pacific).DateTime);
        var factor = day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? weekendFactor : 1.0;
        if (_changes.TryGetValue((objectId, metric, day), out var change))
        {
            factor *= change;
        }

        return factor == 1.0 ? value : (long)Math.Round(value * factor);
    }
}
