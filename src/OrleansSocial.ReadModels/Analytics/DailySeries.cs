using OrleansSocial.ReadModels.Sync;
using OrleansSocial.Storage.Documents;

namespace OrleansSocial.ReadModels.Analytics;

/// <summary>A channel's stored daily values of one metric, or of several at once.</summary>
public static class DailySeries
{
    /// <summary>The values whose Graph <c>end_time</c> falls in [from, to), oldest first, read along the channel-metric index; damaged or non-finite values left out.</summary>
    public static async Task<IReadOnlyList<(DateTimeOffset Day, double Value)>> ReadAsync(IDocumentDatabase database, string channelId, string metric,
        DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var series = await ReadAsync(database, [FieldFilter.Eq("channelId", channelId), FieldFilter.Eq("metric", metric)], [metric], from, to, cancellationToken);
        return series[metric];
    }

    /// <summary>
    /// Several metrics' values over [from, to) in one query along the channel's end-time index (a channel
    /// stores a handful of daily metrics, so a short period costs one read instead of one per metric).
    /// </summary>
    public static Task<IReadOnlyDictionary<string, IReadOnlyList<(DateTimeOffset Day, double Value)>>> ReadAsync(IDocumentDatabase database, string channelId,
        IReadOnlyCollection<string> metrics, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        ReadAsync(database, [FieldFilter.Eq("channelId", channelId)], metrics, from, to, cancellationToken);

    private static async Task<IReadOnlyDictionary<string, IReadOnlyList<(DateTimeOffset Day, double Value)>>> ReadAsync(IDocumentDatabase database,
        IReadOnlyList<FieldFilter> along, IReadOnlyCollection<string> metrics, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var series = metrics.Distinct(StringComparer.Ordinal).ToDictionary(m => m, _ => new List<(DateTimeOffset Day, double Value)>(), StringComparer.Ordinal);
        await foreach (var document in database.GetCollection(Collections.Insights).QueryAllAsync(
            [.. along, FieldFilter.Eq("period", "day"), FieldFilter.Gte("endTime", StoredTime.Of(from)), FieldFilter.Lt("endTime", StoredTime.Of(to))], cancellationToken))
        {
            if (DocumentJson.TryRead<InsightRecord>(document.Body) is { Metric: { } metric } insight && double.IsFinite(insight.Value) && series.TryGetValue(metric, out var values))
            {
                values.Add((insight.EndTime, insight.Value));
            }
        }

        return series.ToDictionary(s => s.Key, s => (IReadOnlyList<(DateTimeOffset Day, double Value)>)[.. s.Value.OrderBy(v => v.Day)], StringComparer.Ordinal);
    }
}
