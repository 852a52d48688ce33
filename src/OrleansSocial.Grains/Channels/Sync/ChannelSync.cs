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
using OrleansSocial.ReadModels.Analytics;
using OrleansSocial.ReadModels.Catalog;

namespace OrleansSocial.Grains.Channels.Sync;

/// <summary>
/// The account a run syncs, its decrypted token (never stored or logged from here), and who is waiting;
/// for an Instagram Login channel also when its token was issued and expires (the refresh rule).
/// </summary>
internal sealed record SyncTarget(string ChannelId, string Platform, string ExternalId, string Token, DateTimeOffset? LastSuccess, BudgetPriority Priority,
    DateTimeOffset? TokenIssuedAt = null, DateTimeOffset? TokenExpiresAt = null)
{
    public override string ToString() => $"SyncTarget {{ ChannelId = {ChannelId}, Platform = {Platform}, ExternalId = {ExternalId} }}";
}

/// <summary>
/// The phases of a channel sync. Each phase is idempotent (upserts keyed by platform ids), so a
/// run that resumes after a crash repeats at most its unfinished phase and duplicates nothing.
/// Every Graph call goes through the rate budget. A daily run reads everything in one request by
/// field expansion (<see cref="SnapshotAsync"/>); only what goes on past the first page costs more.
/// </summary>
internal sealed class ChannelSync(GraphClient graph, IDocumentDatabase database, BudgetGate page, BudgetGate app, TimeProvider time, SyncOptions options,
    Inbox.InboxFeed? inbox = null, Func<Task<TimeZoneInfo>>? zone = null, Analytics.AnomalyWatch? anomalies = null)
{
    public static readonly IReadOnlyList<string> PageMetrics = ["page_post_engagements", "page_follows", "page_views_total", "page_media_view", "page_total_media_view_unique"];
    public static readonly IReadOnlyList<string> PageRollingMetrics = ["page_post_engagements", "page_views_total", "page_media_view", "page_total_media_view_unique"];
    public static readonly IReadOnlyList<string> InstagramMetrics = ["reach", "views", "follower_count", "profile_views", "total_interactions"];
    private const int InstagramInsightsDays = 30;

    /// <summary>How far back a daily run re-reads daily insights (values of recent days are revised as they come in).</summary>
    public static readonly TimeSpan DayInsightsLookback = TimeSpan.FromDays(3);

    // The media edge takes no time window, and every medium it returns brings its comments (CPU charged
    // per item): a daily run asks for a week's worth of an active account and reads on only if all are new.
    private const int DailyMediaPage = 10;

    public int Calls => page.Calls + app.Calls;

    public int Items { get; private set; }

    public List<string> RejectedMetrics { get; } = [];

    /// <summary>What debug_token said, when the run checked the token.</summary>
    public TokenInfo? TokenCheck { get; private set; }

    /// <summary>The Instagram Login token's successor, when the run refreshed it (the caller stores it at once).</summary>
    public LongLivedToken? RefreshedToken { get; private set; }

    /// <summary>Why a due refresh did not happen this time (the current token still works; the next daily run tries again).</summary>
    public string? RefreshDeferred { get; private set; }

    public Task RunPhaseAsync(string phase, SyncTarget target, CancellationToken cancellationToken) => phase switch
    {
        SyncPhases.Token => TokenAsync(target, cancellationToken),
        SyncPhases.Snapshot => SnapshotAsync(target, cancellationToken),
        SyncPhases.Profile => ProfileAsync(target, cancellationToken),
        SyncPhases.Posts => PostsAsync(target, cancellationToken),
        SyncPhases.Comments => CommentsAsync(target, cancellationToken),
        SyncPhases.DayInsights => InsightsAsync(target, "day", DayInsightsLookback, target.Priority, cancellationToken),
        SyncPhases.WeekInsights => InsightsAsync(target, "week", TimeSpan.FromDays(8), target.Priority, cancellationToken),
        SyncPhases.MonthInsights => InsightsAsync(target, "days_28", TimeSpan.FromDays(29), target.Priority, cancellationToken),
        SyncPhases.Backfill => BackfillAsync(target, cancellationToken),
        SyncPhases.Insights => InsightsAsync(target, anomaliesToo: true, bestTimesToo: true, cancellationToken),
        SyncPhases.Anomalies => InsightsAsync(target, anomaliesToo: true, bestTimesToo: false, cancellationToken),
        SyncPhases.BestTimes => InsightsAsync(target, anomaliesToo: false, bestTimesToo: true, cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, "Unknown sync phase."),
    };

    /// <summary>Whether the run re-read past days of insights (a backfill): the next insights phase then reads its whole window again.</summary>
    public bool HistoryRewritten { get; set; }

    /// <summary>
    /// What the run's data says, with no Graph call: anomalies first (they are news), then the best-times tally.
    /// The channel's insights record is read once and written once, at the end: a run that dies before that
    /// write counts nothing into the tally, and judging again finds the same anomalies, stored and announced once.
    /// </summary>
    private async Task InsightsAsync(SyncTarget target, bool anomaliesToo, bool bestTimesToo, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var records = database.GetCollection(Collections.ChannelInsights);
        var stored = await records.GetAsync(target.ChannelId, cancellationToken) is { } json ? DocumentJson.TryRead<ChannelInsightsRecord>(json) : null;
        var metrics = Analytics.AnomalyWatch.KeySeries(target.Platform).Select(s => s.Metric).ToList();
        var recent = await Analytics.RecentKeySeries.ReadAsync(database, target.ChannelId, metrics, now, stored?.Recent, HistoryRewritten, cancellationToken);
        if (anomaliesToo && anomalies is not null)
        {
            await anomalies.CheckAsync(database, target.ChannelId, target.Platform, recent, cancellationToken);
        }

        var tally = stored?.BestTimes;
        if (bestTimesToo && options.BestTimes)
        {
            // A post's counts settle once daily runs stop re-reading it (the recent comment window and the day of overlap).
            var tenantZone = zone is null ? TimeZoneInfo.Utc : await zone();
            var settle = TimeSpan.FromDays(options.RecentCommentDays + 1);
            tally = await new Analytics.BestTimesTally(database, time).AddSettledAsync(tally, target.ChannelId, target.Platform, tenantZone, settle, recent, cancellationToken);
        }

        await records.UpsertAsync(target.ChannelId, DocumentJson.ToJson(new ChannelInsightsRecord(target.ChannelId, tally, recent.ToRecord(), now)), cancellationToken);
    }

    private async Task TokenAsync(SyncTarget target, CancellationToken cancellationToken)
    {
        if (graph.Host == GraphHost.Instagram)
        {
            await RefreshInstagramTokenAsync(target, cancellationToken);
            return;
        }

        var result = await app.CallAsync(target.Priority, 1, () => graph.DebugTokenAsync(target.Token, cancellationToken), r => r.Usage);
        TokenCheck = result.Value;
    }

    /// <summary>
    /// Instagram Login tokens are refreshed, not checked (graph.instagram.com documents no debug_token):
    /// when due, one refresh call. Refused as invalid, the run fails and the channel needs re-authorising;
    /// any other failure leaves the current token in use until the next daily run tries again.
    /// </summary>
    private async Task RefreshInstagramTokenAsync(SyncTarget target, CancellationToken cancellationToken)
    {
        if (!options.InstagramRefreshDue(target.TokenIssuedAt, target.TokenExpiresAt, time.GetUtcNow()))
        {
            return;
        }

        try
        {
            RefreshedToken = (await app.CallAsync(target.Priority, 1, () => graph.RefreshInstagramTokenAsync(target.Token, cancellationToken), r => r.Usage)).Value;
        }
        catch (GraphException exception) when (exception.Kind != GraphErrorKind.TokenInvalid)
        {
            RefreshDeferred = $"{exception.Kind} (Graph code {exception.Code})";
        }
    }

    /// <summary>
    /// Profile, posts (or media) new or changed since the last success, with their engagement counts
    /// and first comments, and the day's insights: one request by field expansion on the Page or
    /// account node. Posts reach back at least <see cref="SyncOptions.RecentCommentDays"/>, so a week's
    /// new comments are read as the separate comments phase read them. Posts past the first page and
    /// long threads are paged on; a metric Graph refuses fails the whole request, so then the snapshot
    /// comes without insights and the insights on their own (dropping the refused metrics).
    /// </summary>
    private async Task SnapshotAsync(SyncTarget target, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var postsSince = PostsSince(target, now);
        var commentsSince = now - TimeSpan.FromDays(options.RecentCommentDays);
        var (insightsSince, insightsUntil) = (now - DayInsightsLookback, now);
        var insights = new InsightsQuery(target.Platform == ChannelIds.Facebook ? PageMetrics : InstagramMetrics, "day", insightsSince, insightsUntil);
        IReadOnlyList<InsightSeries> series;
        try
        {
            series = await SnapshotAsync(target, now, postsSince, commentsSince, insights, cancellationToken);
        }
        catch (GraphException exception) when (exception.IsInvalidMetric)
        {
            await SnapshotAsync(target, now, postsSince, commentsSince, null, cancellationToken);
            await InsightsWindowAsync(target, "day", insightsSince, insightsUntil, target.Priority, cancellationToken);
            return;
        }

        await WriteInsightsAsync(target, series, "day", insightsUntil, cancellationToken);
    }

    /// <summary>
    /// A comment poll, for a channel without Meta's webhooks: the snapshot request without insights,
    /// reaching back over the recent comment window, so new posts and their new comments are read in one call.
    /// </summary>
    public async Task PollCommentsAsync(SyncTarget target, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var since = now - TimeSpan.FromDays(options.RecentCommentDays);
        await SnapshotAsync(target, now, since, since, null, cancellationToken);
    }

    private async Task<IReadOnlyList<InsightSeries>> SnapshotAsync(SyncTarget target, DateTimeOffset now, DateTimeOffset postsSince, DateTimeOffset commentsSince,
        InsightsQuery? insights, CancellationToken cancellationToken)
    {
        var threadsToRead = new List<string>();
        if (target.Platform == ChannelIds.Facebook)
        {
            var snapshot = (await page.CallAsync(target.Priority, 1, () => graph.GetPageSnapshotAsync(target.ExternalId, target.Token, postsSince, insights, cancellationToken: cancellationToken), r => r.Usage)).Value;
            var profile = snapshot.Profile;
            await WriteAsync(Collections.Profiles, target.ChannelId,
                new ProfileRecord(target.ChannelId, profile.Name, profile.Username, profile.FanCount, profile.FollowersCount, null, null, now), cancellationToken);
            foreach (var post in snapshot.Posts)
            {
                await WritePostAsync(target, post, now, cancellationToken);
                await WriteThreadAsync(target, post.Id, post.Comments, cancellationToken);
            }

            if (snapshot.MorePostsAfter is { } after)
            {
                await foreach (var batch in page.PagesAsync(target.Priority, graph.GetPagePostsAsync(target.ExternalId, target.Token, since: postsSince, pageSize: 100, after: after, cancellationToken: cancellationToken)))
                {
                    foreach (var post in batch.Items)
                    {
                        await WritePostAsync(target, post, now, cancellationToken);
                        if (post.CommentCount > 0 && (post.CreatedTime ?? now) >= commentsSince)
                        {
                            threadsToRead.Add(post.Id);
                        }
                    }
                }
            }

            await ReadThreadsAsync(target, threadsToRead, cancellationToken);
            return snapshot.Insights;
        }

        var account = (await page.CallAsync(target.Priority, 1, () => graph.GetInstagramSnapshotAsync(target.ExternalId, target.Token, insights, media: target.LastSuccess is null ? 25 : DailyMediaPage, cancellationToken: cancellationToken), r => r.Usage)).Value;
        var ig = account.Profile;
        await WriteAsync(Collections.Profiles, target.ChannelId,
            new ProfileRecord(target.ChannelId, ig.Name, ig.Username, null, ig.FollowersCount, ig.FollowsCount, ig.MediaCount, now), cancellationToken);
        var fresh = account.Media.Where(m => (m.Timestamp ?? now) >= postsSince).ToList();
        foreach (var media in fresh)
        {
            await WriteMediaAsync(target, media, now, cancellationToken);
            if ((media.Timestamp ?? now) >= commentsSince)
            {
                await WriteThreadAsync(target, media.Id, media.Comments, cancellationToken);
            }
        }

        // Media come newest first: only a first page that is new all through can go on with newer media.
        if (fresh.Count == account.Media.Count && account.MoreMediaAfter is { } next)
        {
            await foreach (var batch in page.PagesAsync(target.Priority, graph.GetInstagramMediaAsync(target.ExternalId, target.Token, pageSize: 50, after: next, cancellationToken: cancellationToken)))
            {
                var newer = batch.Items.Where(m => (m.Timestamp ?? now) >= postsSince).ToList();
                foreach (var media in newer)
                {
                    await WriteMediaAsync(target, media, now, cancellationToken);
                    if (media.CommentsCount > 0 && (media.Timestamp ?? now) >= commentsSince)
                    {
                        threadsToRead.Add(media.Id);
                    }
                }

                if (newer.Count < batch.Items.Count)
                {
                    break;
                }
            }
        }

        await ReadThreadsAsync(target, threadsToRead, cancellationToken);
        return account.Insights;
    }

    private DateTimeOffset PostsSince(SyncTarget target, DateTimeOffset now)
    {
        var sinceLastSuccess = (target.LastSuccess ?? now - TimeSpan.FromDays(options.FirstSyncDays)) - TimeSpan.FromDays(1);
        var recentComments = now - TimeSpan.FromDays(options.RecentCommentDays);
        return sinceLastSuccess < recentComments ? sinceLastSuccess : recentComments;
    }

    private Task WritePostAsync(SyncTarget target, PagePost post, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(Collections.Posts, post.Id, new PostRecord(target.ChannelId, post.Id, post.CreatedTime ?? now, post.Message,
            post.PermalinkUrl, post.CommentCount, post.ReactionCount, post.ShareCount, null, now), cancellationToken);

    private Task WriteMediaAsync(SyncTarget target, InstagramMedia media, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(Collections.Posts, media.Id, new PostRecord(target.ChannelId, media.Id, media.Timestamp ?? now, media.Caption, media.Permalink,
            media.CommentsCount ?? 0, media.LikeCount ?? 0, 0, media.MediaType, now), cancellationToken);

    /// <summary>The comments a snapshot carried for one post, and the rest of a long thread paged on from where they stopped.</summary>
    private async Task WriteThreadAsync(SyncTarget target, string postId, ExpandedEdge<GraphComment>? comments, CancellationToken cancellationToken)
    {
        if (comments is null)
        {
            return;
        }

        await WriteCommentsAsync(target.ChannelId, postId, comments.Items, cancellationToken);
        if (comments.NextCursor is { } after)
        {
            await foreach (var more in page.PagesAsync(target.Priority, graph.GetCommentsAsync(postId, target.Token, after: after, instagram: target.Platform == ChannelIds.Instagram, cancellationToken: cancellationToken)))
            {
                await WriteCommentsAsync(target.ChannelId, postId, more.Items, cancellationToken);
            }
        }
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

    /// <summary>Posts or media new or changed since the last successful run (a day of overlap catches late edits): runs recorded before the snapshot.</summary>
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
                    await WritePostAsync(target, post, now, cancellationToken);
                }
            }

            return;
        }

        await foreach (var batch in page.PagesAsync(target.Priority, graph.GetInstagramMediaAsync(target.ExternalId, target.Token, pageSize: 50, cancellationToken: cancellationToken)))
        {
            var fresh = batch.Items.Where(m => (m.Timestamp ?? now) >= since).ToList();
            foreach (var media in fresh)
            {
                await WriteMediaAsync(target, media, now, cancellationToken);
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

        await ReadThreadsAsync(target, recent, cancellationToken);
    }

    /// <summary>The comments of posts or media: first pages by batch (50 per call), long threads paged on.</summary>
    private async Task ReadThreadsAsync(SyncTarget target, IReadOnlyList<string> postIds, CancellationToken cancellationToken)
    {
        if (graph.Host == GraphHost.Instagram)
        {
            // The Instagram host documents no batch endpoint: thread by thread.
            foreach (var postId in postIds)
            {
                await foreach (var comments in page.PagesAsync(target.Priority, graph.GetCommentsAsync(postId, target.Token, instagram: true, cancellationToken: cancellationToken)))
                {
                    await WriteCommentsAsync(target.ChannelId, postId, comments.Items, cancellationToken);
                }
            }

            return;
        }

        foreach (var chunk in postIds.Chunk(GraphClient.MaxBatchOperations))
        {
            var batch = await page.CallAsync(target.Priority, chunk.Length, () => graph.GetCommentsOfManyAsync(chunk, target.Token, target.Platform == ChannelIds.Instagram, cancellationToken), r => r.Usage);
            foreach (var thread in batch.Value)
            {
                await WriteCommentsAsync(target.ChannelId, thread.ObjectId, thread.Comments, cancellationToken);
                if (thread.HasMore)
                {
                    await foreach (var more in page.PagesAsync(target.Priority, graph.GetCommentsAsync(thread.ObjectId, target.Token, instagram: target.Platform == ChannelIds.Instagram, cancellationToken: cancellationToken)))
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

        if (inbox is not null)
        {
            await inbox.SeenAsync(postId, comments, time.GetUtcNow() - TimeSpan.FromDays(options.RecentCommentDays));
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
        await WriteInsightsAsync(target, result.Value.Series, period, until, cancellationToken);
    }

    private async Task WriteInsightsAsync(SyncTarget target, IReadOnlyList<InsightSeries> series, string period, DateTimeOffset until, CancellationToken cancellationToken)
    {
        foreach (var metric in series)
        {
            foreach (var value in metric.Values ?? [])
            {
                var end = value.EndTime ?? until;
                await WriteAsync(Collections.Insights, InsightRecord.IdOf(target.ChannelId, metric.Name, metric.Period ?? period, end),
                    new InsightRecord(target.ChannelId, metric.Name, metric.Period ?? period, end, value.Value?.Total ?? 0, value.Value?.Breakdown), cancellationToken);
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
