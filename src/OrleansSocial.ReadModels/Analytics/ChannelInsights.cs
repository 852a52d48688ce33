namespace OrleansSocial.ReadModels.Analytics;

/// <summary>
/// What a channel's syncs keep of their own analysis between runs (collection <c>channel_insights</c>, id =
/// channel id), written once at the end of a run's insights phase: the best-times tally (null while the tally
/// is off) and the recent key series the anomaly check judged, so the next run reads back only the days a
/// sync may have rewritten since.
/// </summary>
public sealed record ChannelInsightsRecord(string ChannelId, BestTimesRecord? BestTimes, RecentSeriesRecord? Recent, DateTimeOffset UpdatedAt);

/// <summary>Each key metric's stored daily values over the window that ends at <see cref="ReadAt"/>, oldest first.</summary>
public sealed record RecentSeriesRecord(DateTimeOffset ReadAt, IReadOnlyDictionary<string, IReadOnlyList<DayValue>> Series);

/// <summary>One day's value of a daily series (the day is Graph's <c>end_time</c>).</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(DayValueJson))]
public sealed record DayValue(DateTimeOffset Day, double Value);
