using OrleansSocial.Channels;
using OrleansSocial.Graph;
using OrleansSocial.Grains.Tenancy;
using OrleansSocial.Storage.Documents;

namespace OrleansSocial.Grains.Channels;

/// <summary>
/// The daily sync of one channel: profile snapshot, posts or media changed since the last
/// successful run with engagement counts (field expansion: one call per page of posts),
/// comments on recent posts, and daily insights. Every write is an upsert keyed by platform
/// ids, so a repeated or resumed run duplicates nothing. Counts the Graph calls it spends.
/// </summary>
internal sealed class DailySync(GraphClient graph, IDocumentDatabase database, TimeProvider time)
{
    public static readonly IReadOnlyList<string> PageMetrics = ["page_post_engagements", "page_follows", "page_views_total", "page_media_view"];
    public static readonly IReadOnlyList<string> InstagramMetrics = ["reach", "views", "follower_count", "profile_views"];
    private static readonly TimeSpan RecentComments = TimeSpan.FromDays(7);
    private static readonly TimeSpan FirstSyncHistory = TimeSpan.FromDays(30);

    public int Calls { get; private set; }

    public int Items { get; private set; }

    public IReadOnlyList<string> RejectedMetrics { get; private set; } = [];

    public async Task RunAsync(string channelId, string platform, string externalId, string token, DateTimeOffset? lastSuccess, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var since = (lastSuccess ?? now - FirstSyncHistory) - TimeSpan.FromDays(1);
        if (platform == ChannelIds.Facebook)
        {
            await FacebookAsync(channelId, externalId, token, since, now, cancellationToken);
        }
        else
        {
            await InstagramAsync(channelId, externalId, token, since, now, cancellationToken);
        }
    }

    private async Task FacebookAsync(string channelId, string pageId, string token, DateTimeOffset since, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var profile = (await Spend(graph.GetPageAsync(pageId, token, cancellationToken))).Value;
        await WriteAsync(SyncCollections.Profiles, channelId, new { channelId, name = profile.Name, username = profile.Username, fans = profile.FanCount, followers = profile.FollowersCount, syncedAt = TenantDocuments.Timestamp(now) }, cancellationToken);

        await foreach (var page in graph.GetPagePostsAsync(pageId, token, since: since, pageSize: 100, cancellationToken: cancellationToken))
        {
            Calls++;
            foreach (var post in page.Items)
            {
                var created = post.CreatedTime ?? now;
                await WriteAsync(SyncCollections.Posts, post.Id, new
                {
                    channelId, postId = post.Id, createdAt = TenantDocuments.Timestamp(created), message = post.Message, permalink = post.PermalinkUrl,
                    comments = post.CommentCount, reactions = post.ReactionCount, shares = post.ShareCount, syncedAt = TenantDocuments.Timestamp(now),
                }, cancellationToken);
                if (post.CommentCount > 0 && created > now - RecentComments)
                {
                    await CommentsAsync(channelId, post.Id, token, cancellationToken);
                }
            }
        }

        var insights = (await Spend(graph.GetPageInsightsAsync(pageId, token, PageMetrics, "day", now - TimeSpan.FromDays(3), now, cancellationToken))).Value;
        await InsightsAsync(channelId, insights, cancellationToken);
    }

    private async Task InstagramAsync(string channelId, string igId, string token, DateTimeOffset since, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var profile = (await Spend(graph.GetInstagramAccountAsync(igId, token, cancellationToken))).Value;
        await WriteAsync(SyncCollections.Profiles, channelId, new { channelId, name = profile.Name, username = profile.Username, followers = profile.FollowersCount, follows = profile.FollowsCount, mediaCount = profile.MediaCount, syncedAt = TenantDocuments.Timestamp(now) }, cancellationToken);

        await foreach (var page in graph.GetInstagramMediaAsync(igId, token, pageSize: 50, cancellationToken: cancellationToken))
        {
            Calls++;
            var fresh = page.Items.Where(m => (m.Timestamp ?? now) >= since).ToList();
            foreach (var media in fresh)
            {
                var created = media.Timestamp ?? now;
                await WriteAsync(SyncCollections.Posts, media.Id, new
                {
                    channelId, postId = media.Id, createdAt = TenantDocuments.Timestamp(created), message = media.Caption, permalink = media.Permalink,
                    comments = media.CommentsCount ?? 0, reactions = media.LikeCount ?? 0, shares = 0, mediaType = media.MediaType, syncedAt = TenantDocuments.Timestamp(now),
                }, cancellationToken);
                if (media.CommentsCount > 0 && created > now - RecentComments)
                {
                    await CommentsAsync(channelId, media.Id, token, cancellationToken);
                }
            }

            // Media come newest first: once a page holds older media, the rest is older still.
            if (fresh.Count < page.Items.Count)
            {
                break;
            }
        }

        var insights = (await Spend(graph.GetInstagramAccountInsightsAsync(igId, token, InstagramMetrics, "day", now - TimeSpan.FromDays(3), now, cancellationToken: cancellationToken))).Value;
        await InsightsAsync(channelId, insights, cancellationToken);
    }

    private async Task CommentsAsync(string channelId, string postId, string token, CancellationToken cancellationToken)
    {
        await foreach (var page in graph.GetCommentsAsync(postId, token, cancellationToken: cancellationToken))
        {
            Calls++;
            foreach (var comment in page.Items)
            {
                await WriteAsync(SyncCollections.Comments, comment.Id, new
                {
                    channelId, postId, commentId = comment.Id, createdAt = TenantDocuments.Timestamp(comment.At ?? time.GetUtcNow()),
                    message = comment.Body, author = comment.From?.Name ?? comment.Username, likes = comment.LikeCount ?? 0,
                }, cancellationToken);
            }
        }
    }

    private async Task InsightsAsync(string channelId, OrleansSocial.Graph.Models.InsightsResult insights, CancellationToken cancellationToken)
    {
        RejectedMetrics = insights.RejectedMetrics;
        foreach (var series in insights.Series)
        {
            foreach (var value in series.Values ?? [])
            {
                var end = TenantDocuments.Timestamp(value.EndTime ?? time.GetUtcNow());
                await WriteAsync(SyncCollections.Insights, $"{channelId}|{series.Name}|{series.Period}|{end}", new
                {
                    channelId, metric = series.Name, period = series.Period, endTime = end, value = value.Value?.Total ?? 0, breakdown = value.Value?.Breakdown,
                }, cancellationToken);
            }
        }
    }

    private async Task<T> Spend<T>(Task<T> call)
    {
        Calls++;
        return await call;
    }

    private async Task WriteAsync(string collection, string id, object document, CancellationToken cancellationToken)
    {
        await database.GetCollection(collection).UpsertAsync(id, TenantDocuments.ToJson(document), cancellationToken);
        Items++;
    }
}
