using Microsoft.AspNetCore.Http.HttpResults;
using OrleansSocial.Api.Storage;
using OrleansSocial.Api.Tenancy;
using OrleansSocial.Grains.Channels;
using OrleansSocial.Grains.Channels.Sync;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Tenancy;

namespace OrleansSocial.Api.Apis;

/// <summary>Figures across all channels of the tenant, from what the sync engine stored.</summary>
public static class AnalyticsApi
{
    public static readonly TimeSpan DefaultRange = TimeSpan.FromDays(28);
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(731);

    public sealed record ChannelFigures(string ChannelId, string Platform, string Name, long Followers, double Reach, double Impressions, double Engagement);

    public sealed record Overview(DateTimeOffset Since, DateTimeOffset Until, ChannelFigures Total, IReadOnlyList<ChannelFigures> Channels);

    public static RouteGroupBuilder MapAnalyticsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/analytics").WithTags("Analytics");
        group.MapGet("/overview", GetOverview).RequirePermission(Permissions.AnalyticsRead)
            .WithSummary("Followers, reach, impressions and engagement per channel and in total (default: the last 28 days)");
        return group;
    }

    public static async Task<Ok<Overview>> GetOverview(HttpContext context, IDocumentStore store, TimeProvider time, DateTimeOffset? since, DateTimeOffset? until, CancellationToken cancellationToken)
    {
        var to = until ?? time.GetUtcNow();
        var from = since ?? to - DefaultRange;
        if (from >= to)
        {
            throw DomainException.Invalid("since", "since must be before until.");
        }

        if (to - from > MaxRange)
        {
            throw DomainException.Invalid("since", "The range may span at most two years, the history Graph keeps.");
        }

        var database = store.TenantDatabase(context);
        var figures = new List<ChannelFigures>();
        await foreach (var channel in database.GetCollection(ChannelGrain.Collection).ReadAllAsync(cancellationToken))
        {
            var channelId = channel.Id;
            var platform = channel.Body.GetProperty("platform").GetString()!;
            var profile = await database.GetCollection(SyncCollections.Profiles).GetAsync(channelId, cancellationToken);
            var followers = profile is { } p && p.TryGetProperty("followers", out var count) && count.TryGetInt64(out var n) ? n : 0;
            var sums = new Dictionary<string, double>();
            foreach (var figure in OverviewMetrics.Figures)
            {
                sums[figure] = await SumAsync(database, channelId, OverviewMetrics.MetricFor(platform, figure), from, to, cancellationToken);
            }

            figures.Add(new ChannelFigures(channelId, platform, channel.Body.GetProperty("name").GetString() ?? channelId, followers,
                sums[OverviewMetrics.Reach], sums[OverviewMetrics.Impressions], sums[OverviewMetrics.Engagement]));
        }

        var total = new ChannelFigures("total", "all", "All channels", figures.Sum(f => f.Followers), figures.Sum(f => f.Reach), figures.Sum(f => f.Impressions), figures.Sum(f => f.Engagement));
        return TypedResults.Ok(new Overview(from, to, total, figures));
    }

    private static async Task<double> SumAsync(IDocumentDatabase database, string channelId, string metric, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        double sum = 0;
        var filters = new[] { FieldFilter.Eq("channelId", channelId), FieldFilter.Eq("metric", metric), FieldFilter.Eq("period", "day"), FieldFilter.Gte("endTime", StoredTime.Of(from)), FieldFilter.Lt("endTime", StoredTime.Of(to)) };
        await foreach (var value in database.GetCollection(SyncCollections.Insights).QueryAllAsync(filters, cancellationToken))
        {
            sum += value.Body.GetProperty("value").GetDouble();
        }

        return sum;
    }
}
