using OrleansSocial.ReadModels.Sync;
using OrleansSocial.Storage.Documents;

namespace OrleansSocial.ReadModels.Analytics;

/// <summary>A channel's stored daily values of one metric, read along the channel-metric index.</summary>
public static class DailySeries
{
    /// <summary>The values whose Graph <c>end_time</c> falls in [from, to), oldest first; damaged or non-finite values left out.</summary>
    public static async Task<IReadOnlyList<(DateTimeOffset Day, double Value)>> ReadAsync(IDocumentDatabase database, string channelId, string metric,
        DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var series = new List<(DateTimeOffset Day, double Value)>();
        await foreach (var document in database.GetCollection(Collections.Insights).QueryAllAsync(
            [FieldFilter.Eq("channelId", channelId), FieldFilter.Eq("metric", metric), FieldFilter.Eq("period", "day"),
             FieldFilter.Gte("endTime", StoredTime.Of(from)), FieldFilter.Lt("endTime", StoredTime.Of(to))], cancellationToken))
        {
            if (DocumentJson.TryRead<InsightRecord>(document.Body) is { Metric: not null } insight && double.IsFinite(insight.Value))
            {
                series.Add((insight.EndTime, insight.Value));
            }
        }

        return [.. series.OrderBy(v => v.Day)];
    }
}
