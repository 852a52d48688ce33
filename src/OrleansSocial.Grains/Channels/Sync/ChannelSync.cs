using OrleansSocial.Budget;
using OrleansSocial.Channels;
using OrleansSocial.Graph;
using OrleansSocial.Graph.Models;
using OrleansSocial.Grains.Budget;
using OrleansSocial.Grains.Channels.Scheduling;
using OrleansSocial.Grains.Tenancy;
using OrleansSocial.Storage.Documents;

using OrleansSocial.ReadModels;
using OrleansSocial.ReadModels.Sync;
using OrleansSocial.ReadModels.Catalog;

namespace OrleansSocial.Grains.Channels.Sync;

/// <summary>The account a run syncs, its decrypted token (never stored or logged from here), and who is waiting.</summary>
internal sealed record SyncTarget(string ChannelId, string Platform, string ExternalId, string Token, DateTimeOffset? LastSuccess, BudgetPriority Priority);

/// <summary>
/// The phases of a channel sync. Each phase is idempotent (upserts keyed by platform ids), so a
/// run that resumes after a crash repeats at most its unfinished phase and duplicates nothing.
/// Every Graph call goes through the rate budget; posts come with engagement counts by field
/// expansion, comments of many posts by batch.
/// </summary>
internal sealed class ChannelSync(GraphClient graph, IDocumentDatabase database, BudgetGate page, BudgetGate app, TimeProvider time, SyncOptions options)
{
    public static readonly IReadOnlyList<string> PageMetrics = ["page_post_engagements", "page_follows", "page_views_total", "page_media_view", "page_total_media_view_unique"];
    public static readonly IReadOnlyList<string> PageRollingMetrics = ["page_post_engagements", "page_views_total", "page_media_view", "page_total_media_view_unique"];
    public static readonly IReadOnlyList<string> InstagramMetrics = ["reach", "views", "follower_count", "profile_views", "total_interactions"];
    private const int InstagramInsightsDays = 30;

    public int Calls => page.Calls + app.Calls;

    public int Items { get; private set; }

    public List<string> RejectedMetrics { get; } = [];

    /// <summary>What debug_token said, when the run checked the token.</summary>
    public TokenInfo? TokenCheck { get; private set; }

    public Task RunPhaseAsync(string phase, SyncTarget target, CancellationToken cancellationToken) => phase switch
    {
        SyncPhases.Token => TokenAsync(target, cancellationToken),
        SyncPhases.Profile => ProfileAsync(target, cancellationToken),
        SyncPhases.Posts => PostsAsync(target, cancellationToken),
        SyncPhases.Comments => CommentsAsync(target, cancellationToken),
        SyncPhases.DayInsights => InsightsAsync(target, "day", TimeSpan.FromDays(3), target.Priority, cancellationToken),
        SyncPhases.WeekInsights => InsightsAsync(target, "week", TimeSpan.FromDays(8), target.Priority, cancellationToken),
        SyncPhases.MonthInsights => InsightsAsync(target, "days_28", TimeSpan.FromDays(29), target.Priority, cancellationToken),
        SyncPhases.Backfill => BackfillAsync(target, cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, "Unknown sync phase."),
    };

    private async Task TokenAsync(SyncTarget target, CancellationToken cancellationToken)
    {
        var result = await app.CallAsync(target.Priority, 1, () => graph.DebugTokenAsync(target.Token, cancellationToken), r => r.Usage);
        TokenCheck = result.Value;
    }

    private async Task ProfileAsync(SyncTarget target, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (target.Platform == ChannelIds.Facebook)
        {
            var profile = (await page.CallAsync(target.Priority, 1, () => graph.GetPageAsync(target.ExternalId, target.Token, cancellationToken), r => r.Usage)).Value;
            await WriteAsync(Collections.Profiles, target.ChannelId,
                new ProfileRecord(target.ChannelId, profile.Name, profile.Username, profile.FanCount, profile.FollowersCount, null, null, now), cancellationToken);
        }
        else
        {
            var profile = (await page.CallAsync(target.Priority, 1, () => graph.GetInstagramAccountAsync(target.ExternalId, target.Token, cancellationToken), r => r.Usage)).Value;
            await WriteAsync(Collections.Profiles, target.ChannelId,
                new ProfileRecord(target.ChannelId, profile.Name, profile.Username, null, profile.FollowersCount, profile.FollowsCount, profile.MediaCount, now), cancellationToken);
        }
    }

    /// <summary>Posts or media new or changed since the last successful run (a day of overlap catches late edits).</summary>
    private async Task PostsAsync(SyncTarget target, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var since = (target.LastSuccess ?? now - TimeSpan.FromDays(options.FirstSyncDays)) - TimeSpan.FromDays(1);
        if (target.Platform == ChannelIds.Facebook)
        {
            await foreach (var batch in page.PagesAsync(target.Priority, graph.GetPagePostsAsync(target.ExternalId, target.Token, since: since, pageSize: 100, cancellationToken: cancellationToken)))
            {
                foreach (var post in batch.Items)
                {
                    await WriteAsync(Collections.Posts, post.Id, new PostRecord(target.ChannelId, post.Id, post.CreatedTime ?? now, post.Message,
                        post.PermalinkUrl, post.CommentCount, post.ReactionCount, post.ShareCount, null, now), cancellationToken);
                }
            }

            return;
        }

        await foreach (var batch in page.PagesAsync(target.Priority, graph.GetInstagramMediaAsync(target.ExternalId, target.Token, pageSize: 50, cancellationToken: cancellationToken)))
        {
            var fresh = batch.Items.Where(m => (m.Timestamp ?? now) >= since).ToList();
            foreach (var media in fresh)
            {
                await WriteAsync(Collections.Posts, media.Id, new PostRecord(target.ChannelId, media.Id, media.Timestamp ?? now, media.Caption, media.Permalink,
                    media.CommentsCount ?? 0, media.LikeCount ?? 0, 0, media.MediaType, now), cancellationToken);
            }

            // Media come newest first: once a page holds older media, the rest is older still.
            if (fresh.Count < batch.Items.Count)
            {
                break;
            }
        }
    }

    /// <summary>Comments of the stored recent posts that have any: 50 posts per batch call; long threads paged on.</summary>
    private async Task CommentsAsync(SyncTarget target, CancellationToken cancellationToken)
    {
        var since = TenantDocuments.Timestamp(time.GetUtcNow() - TimeSpan.FromDays(options.RecentCommentDays));
        var recent = new List<string>();
        await foreach (var post in database.GetCollection(Collections.Posts).QueryAllAsync([FieldFilter.Eq("channelId", target.ChannelId), FieldFilter.Gte("createdAt", since)], cancellationToken))
        {
            if (DocumentJson.TryRead<PostRecord>(post.Body) is { Comments: > 0 })
            {
                recent.Add(post.Id);
            }
        }

        foreach (var chunk in recent.Chunk(GraphClient.MaxBatchOperations))
        {
            var batch = await page.CallAsync(target.Priority, chunk.Length, () => graph.GetCommentsOfManyAsync(chunk, target.Token, cancellationToken), r => r.Usage);
            foreach (var thread in batch.Value)
            {
                await WriteCommentsAsync(target.ChannelId, thread.ObjectId, thread.Comments, cancellationToken);
                if (thread.HasMore)
                {
                    await foreach (var more in page.PagesAsync(target.Priority, graph.GetCommentsAsync(thread.ObjectId, target.Token, cancellationToken: cancellationToken)))
                    {
                        await WriteCommentsAsync(target.ChannelId, thread.ObjectId, more.Items, cancellationToken);
                    }
                }
            }
        }
    }

    private async Task WriteCommentsAsync(string channelId, string postId, IReadOnlyList<GraphComment> comments, CancellationToken cancellationToken)
    {
        foreach (var comment in comments)
        {
            await WriteAsync(Collections.Comments, comment.Id, new CommentRecord(channelId, postId, comment.Id, comment.At ?? time.GetUtcNow(),
                comment.Body, comment.From?.Name ?? comment.Username, comment.LikeCount ?? 0), cancellationToken);
        }
    }

    private async Task InsightsAsync(SyncTarget target, string period, TimeSpan back, BudgetPriority priority, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await InsightsWindowAsync(target, period, now - back, now, priority, cancellationToken);
    }

    private async Task InsightsWindowAsync(SyncTarget target, string period, DateTimeOffset since, DateTimeOffset until, BudgetPriority priority, CancellationToken cancellationToken)
    {
        var metrics = target.Platform == ChannelIds.Facebook ? (period == "day" ? PageMetrics : PageRollingMetrics) : InstagramMetrics;
        if (target.Platform == ChannelIds.Instagram && period != "day")
        {
            // Instagram account insights come by day only; weeks and months are sums the reader can make.
            return;
        }

        var result = await page.CallAsync(priority, 1, () => target.Platform == ChannelIds.Facebook
            ? graph.GetPageInsightsAsync(target.ExternalId, target.Token, metrics, period, since, until, cancellationToken)
            : graph.GetInstagramAccountInsightsAsync(target.ExternalId, target.Token, metrics, period, since, until, cancellationToken: cancellationToken), r => r.Usage);
        RejectedMetrics.AddRange(result.Value.RejectedMetrics.Except(RejectedMetrics));
        foreach (var series in result.Value.Series)
        {
            foreach (var value in series.Values ?? [])
            {
                var end = value.EndTime ?? until;
                await WriteAsync(Collections.Insights, InsightRecord.IdOf(target.ChannelId, series.Name, series.Period ?? period, end),
                    new InsightRecord(target.ChannelId, series.Name, series.Period ?? period, end, value.Value?.Total ?? 0, value.Value?.Breakdown), cancellationToken);
            }
        }
    }

    /// <summary>
    /// Days missing from the stored daily history, within what the API still serves, are read again
    /// (oldest missing day onward, in windows the API accepts) at backfill priority.
    /// </summary>
    private async Task BackfillAsync(SyncTarget target, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var days = target.Platform == ChannelIds.Facebook ? options.BackfillDays : Math.Min(options.BackfillDays, InstagramInsightsDays);
        var probe = target.Platform == ChannelIds.Facebook ? PageMetrics[0] : InstagramMetrics[0];
        var from = now.UtcDateTime.Date.AddDays(-days);
        var stored = new HashSet<DateTime>();
        var filters = new[] { FieldFilter.Eq("channelId", target.ChannelId), FieldFilter.Eq("metric", probe), FieldFilter.Eq("period", "day"), FieldFilter.Gte("endTime", TenantDocuments.Timestamp(from)) };
        await foreach (var item in database.GetCollection(Collections.Insights).QueryAllAsync(filters, cancellationToken))
        {
            if (DocumentJson.TryRead<InsightRecord>(item.Body) is { } insight)
            {
                stored.Add(insight.EndTime.UtcDateTime.Date);
            }
        }

        // The last two days may not be final yet (insights lag up to 48 h): the daily sync owns them.
        var missing = Enumerable.Range(1, days - 2).Select(d => from.AddDays(d)).FirstOrDefault(d => !stored.Contains(d));
        if (missing == default)
        {
            return;
        }

        var window = target.Platform == ChannelIds.Facebook ? GraphClient.MaxInsightsWindow : TimeSpan.FromDays(InstagramInsightsDays);
        for (var since = new DateTimeOffset(missing.AddDays(-1), TimeSpan.Zero); since < now; since += window)
        {
            var until = since + window < now ? since + window : now;
            await InsightsWindowAsync(target, "day", since, until, BudgetPriority.Backfill, cancellationToken);
        }
    }

    private async Task WriteAsync<T>(string collection, string id, T document, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await database.GetCollection(collection).UpsertAsync(id, DocumentJson.ToJson(document), cancellationToken);
        Items++;
    }
}
