using OrleansSocial.ReadModels.Sync;
using OrleansSocial.Storage.Documents;

namespace OrleansSocial.ReadModels.Analytics;

/// <summary>One channel's figures over a range; the total row uses <c>channelId = "total"</c>.</summary>
public sealed record ChannelFigures(string ChannelId, string Platform, string Name, long Followers, double Reach, double Impressions, double Engagement);

public sealed record Overview(DateTimeOffset Since, DateTimeOffset Until, ChannelFigures Total, IReadOnlyList<ChannelFigures> Channels);

/// <summary>
/// Followers, reach, impressions and engagement per channel and in total, from what the sync
/// engine stored. One query per stored metric across all channels (at most six), not a set of
/// queries per channel: the cost does not grow with the number of channels.
/// </summary>
public static class OverviewQuery
{
    public static async Task<Overview> RunAsync(IDocumentDatabase database, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var channels = new List<ChannelSummary>();
        await foreach (var stored in database.GetCollection(Collections.Channels).ReadAllAsync(cancellationToken))
        {
            // A damaged channel record is left out here as everywhere else.
            if (DocumentJson.TryRead<ChannelSummary>(stored.Body) is { ChannelId: not null, Platform: not null } channel)
            {
                channels.Add(channel);
            }
        }

        // One read of the profiles (one document per channel), not a lookup per channel.
        var followers = new Dictionary<string, long>();
        await foreach (var stored in database.GetCollection(Collections.Profiles).ReadAllAsync(cancellationToken))
        {
            if (DocumentJson.TryRead<ProfileRecord>(stored.Body) is { ChannelId: not null } record)
            {
                followers[record.ChannelId] = record.Followers ?? 0;
            }
        }

        // metric -> channel -> sum over the range
        var sums = new Dictionary<string, Dictionary<string, double>>();
        var metrics = channels.SelectMany(c => OverviewMetrics.Figures.Select(f => OverviewMetrics.MetricFor(c.Platform, f))).Distinct();
        foreach (var metric in metrics)
        {
            var perChannel = sums[metric] = [];
            FieldFilter[] filters = [FieldFilter.Eq("metric", metric), FieldFilter.Eq("period", "day"), FieldFilter.Gte("endTime", StoredTime.Of(from)), FieldFilter.Lt("endTime", StoredTime.Of(to))];
            await foreach (var stored in database.GetCollection(Collections.Insights).QueryAllAsync(filters, cancellationToken))
            {
                if (DocumentJson.TryRead<InsightRecord>(stored.Body) is { ChannelId: not null } value)
                {
                    perChannel[value.ChannelId] = perChannel.GetValueOrDefault(value.ChannelId) + value.Value;
                }
            }
        }

        double Sum(ChannelSummary channel, string figure) =>
            sums.GetValueOrDefault(OverviewMetrics.MetricFor(channel.Platform, figure))?.GetValueOrDefault(channel.ChannelId) ?? 0;

        var figures = channels.Select(c => new ChannelFigures(c.ChannelId, c.Platform, c.Name ?? c.ChannelId, followers.GetValueOrDefault(c.ChannelId),
            Sum(c, OverviewMetrics.Reach), Sum(c, OverviewMetrics.Impressions), Sum(c, OverviewMetrics.Engagement))).ToList();
        var total = new ChannelFigures("total", "all", "All channels", figures.Sum(f => f.Followers), figures.Sum(f => f.Reach), figures.Sum(f => f.Impressions), figures.Sum(f => f.Engagement));
        return new Overview(from, to, total, figures);
    }
}
