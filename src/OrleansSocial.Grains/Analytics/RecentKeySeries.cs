using OrleansSocial.ReadModels.Analytics;
using OrleansSocial.Storage.Documents;

namespace OrleansSocial.Grains.Analytics;

/// <summary>
/// A channel's key daily series over the last weeks, as one run sees them: the anomaly check judges the last
/// days against the rest, and the best-times tally finds in them the followers when this week's settled posts
/// went out. Carried from run to run in the channel's <see cref="ChannelInsightsRecord"/>: a run reads back only
/// the days a sync may have rewritten since the window was read (insights are re-read a few days back), one query
/// for all metrics, instead of each metric's whole window. A run that backfilled history, or finds nothing usable
/// stored, reads the whole window.
/// </summary>
internal sealed class RecentKeySeries
{
    /// <summary>The anomaly baseline and the days judged, and two days' slack for Graph's late end times.</summary>
    public static readonly TimeSpan Span = TimeSpan.FromDays(AnomalyDetector.BaselineDays + AnomalyWatch.DaysJudged + 2);

    // How far back of its own time a run writes daily values: its insights lookback, and a day for an end time past the request's end.
    private static readonly TimeSpan Rewritten = Channels.Sync.ChannelSync.DayInsightsLookback + TimeSpan.FromDays(2);

    private readonly IReadOnlyDictionary<string, IReadOnlyList<(DateTimeOffset Day, double Value)>> _series;

    private RecentKeySeries(IReadOnlyDictionary<string, IReadOnlyList<(DateTimeOffset Day, double Value)>> series, DateTimeOffset until)
    {
        _series = series;
        Until = until;
    }

    public DateTimeOffset From => Until - Span;

    public DateTimeOffset Until { get; }

    public static async Task<RecentKeySeries> ReadAsync(IDocumentDatabase database, string channelId, IReadOnlyCollection<string> metrics, DateTimeOffset now,
        RecentSeriesRecord? stored, bool historyRewritten, CancellationToken cancellationToken)
    {
        var from = now - Span;
        var series = new Dictionary<string, IReadOnlyList<(DateTimeOffset Day, double Value)>>(StringComparer.Ordinal);
        if (!historyRewritten && stored is { Series: { } kept } && stored.ReadAt <= now && stored.ReadAt - Rewritten > from
            && metrics.All(m => kept.TryGetValue(m, out var values) && values is not null && values.All(v => v is not null)))
        {
            var since = stored.ReadAt - Rewritten;
            var fresh = await DailySeries.ReadAsync(database, channelId, metrics, since, now, cancellationToken);
            foreach (var metric in metrics)
            {
                series[metric] = [.. kept[metric].Where(v => v.Day >= from && v.Day < since).Select(v => (v.Day, v.Value)), .. fresh[metric]];
            }
        }
        else
        {
            foreach (var metric in metrics)
            {
                series[metric] = await DailySeries.ReadAsync(database, channelId, metric, from, now, cancellationToken);
            }
        }

        return new RecentKeySeries(series, now);
    }

    /// <summary>The metric's values in the window, oldest first (none for a metric not kept).</summary>
    public IReadOnlyList<(DateTimeOffset Day, double Value)> Of(string metric) => _series.TryGetValue(metric, out var values) ? values : [];

    /// <summary>Whether [from, to) lies inside the window for the metric (so reading it again would find nothing more).</summary>
    public bool Covers(string metric, DateTimeOffset from, DateTimeOffset to) => _series.ContainsKey(metric) && from >= From && to <= Until;

    public RecentSeriesRecord ToRecord() =>
        new(Until, _series.ToDictionary(s => s.Key, s => (IReadOnlyList<DayValue>)[.. s.Value.Select(v => new DayValue(v.Day, v.Value))], StringComparer.Ordinal));
}
