namespace OrleansSocial.ReadModels.Analytics;

/// <summary>A tenant's anomaly thresholds: how far outside its baseline a day must be, in robust standard deviations and in relative change.</summary>
public sealed record AnomalyThresholds(double Deviations, double MinimumChange)
{
    public static readonly AnomalyThresholds Default = new(OrleansSocial.Tenancy.AnomalySettings.DefaultThreshold, OrleansSocial.Tenancy.AnomalySettings.DefaultMinimumChange);
}

/// <summary>
/// One day of one key series far outside the channel's own baseline (collection <c>anomalies</c>, id =
/// channel, metric and day): stored once, announced once as <c>insight.anomaly</c>.
/// </summary>
public sealed record AnomalyRecord(
    string AnomalyId,
    string ChannelId,
    string Figure,
    string Metric,
    DateTimeOffset Day,
    double Value,
    double Expected,
    double ExpectedLow,
    double ExpectedHigh,
    string Direction,
    DateTimeOffset DetectedAt)
{
    public static string IdOf(string channelId, string metric, DateTimeOffset day) => $"{channelId}|{metric}|{OrleansSocial.Storage.Documents.StoredTime.Of(day)}";
}

/// <summary>
/// Compares a day's value with the series' own last 28 days, weekday-aware and robust: values are
/// taken on a log scale (counts vary by multiples), the baseline is their median plus the median
/// offset of the same weekday (a weekend that is always quieter is expected quieter), the spread is
/// the median absolute deviation of what is left. A day is an anomaly when it lies more than
/// <see cref="AnomalyThresholds.Deviations"/> spreads from the baseline and differs from the expected
/// value by at least <see cref="AnomalyThresholds.MinimumChange"/> of it.
/// </summary>
public static class AnomalyDetector
{
    public const int BaselineDays = 28;

    /// <summary>Days of baseline needed before anything is judged.</summary>
    public const int MinimumBaseline = 21;

    // No spread is taken as narrower than this (on the log scale): a perfectly flat series does not make every wobble an anomaly.
    private const double MinimumSpread = 0.05;

    public const string Drop = "drop";
    public const string Spike = "spike";

    /// <summary>Null when the day is within its expected range or the baseline is too short; else what was expected and which way it went.</summary>
    public static (double Expected, double Low, double High, string Direction)? Judge(
        IReadOnlyList<(DateTimeOffset Day, double Value)> baseline, DateTimeOffset day, double value, AnomalyThresholds thresholds)
    {
        if (baseline.Count < MinimumBaseline)
        {
            return null;
        }

        var logs = baseline.Select(b => (b.Day.DayOfWeek, Log: Math.Log(1 + Math.Max(0, b.Value)))).ToList();
        var center = Median(logs.Select(l => l.Log));
        var weekday = logs.GroupBy(l => l.DayOfWeek).ToDictionary(g => g.Key, g => Median(g.Select(l => l.Log)) - center);
        var residuals = logs.Select(l => l.Log - center - weekday[l.DayOfWeek]).ToList();
        var middle = Median(residuals);
        var spread = Math.Max(MinimumSpread, 1.4826 * Median(residuals.Select(r => Math.Abs(r - middle))));
        var expectedLog = center + weekday.GetValueOrDefault(day.DayOfWeek);
        var observed = Math.Log(1 + Math.Max(0, value));
        var deviations = (observed - expectedLog) / spread;
        var expected = Math.Exp(expectedLog) - 1;
        var low = Math.Max(0, Math.Exp(expectedLog - thresholds.Deviations * spread) - 1);
        var high = Math.Exp(expectedLog + thresholds.Deviations * spread) - 1;
        if (Math.Abs(deviations) <= thresholds.Deviations || Math.Abs(value - expected) < thresholds.MinimumChange * Math.Max(1, expected))
        {
            return null;
        }

        return (Math.Round(expected, 1), Math.Round(low, 1), Math.Round(high, 1), deviations < 0 ? Drop : Spike);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
