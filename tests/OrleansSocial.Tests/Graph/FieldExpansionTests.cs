using System.Net.Http.Json;
using System.Text.Json;
using OrleansSocial.Graph;
using OrleansSocial.Graph.Models;

namespace OrleansSocial.Tests.Graph;

/// <summary>
/// One request for a whole Page or Instagram account: the snapshot holds exactly what the separate
/// reads return, says where edges go on, fails whole on a bad metric, and costs the emulator's
/// budget less than the reads it replaces, but never nothing.
/// </summary>
public sealed class FieldExpansionTests(GraphEmulatorFixture graph) : IClassFixture<GraphEmulatorFixture>, IAsyncLifetime
{
    private static readonly string[] PageMetrics = ["page_post_engagements", "page_follows"];

    private GraphClient Client => graph.Client;

    private DateTimeOffset Now => graph.Emulator.State.Clock.Now;

    public Task InitializeAsync() => graph.ResetAsync();

    public Task DisposeAsync() => graph.ResetAsync();

    private static async Task<List<T>> AllAsync<T>(IAsyncEnumerable<GraphPage<T>> pages)
    {
        var items = new List<T>();
        await foreach (var page in pages)
        {
            items.AddRange(page.Items);
        }

        return items;
    }

    private InsightsQuery Insights(params string[] metrics) => new(metrics, "day", Now.AddDays(-3), Now);

    private async Task<(long Calls, double Cpu, double Time)> PagesSpentAsync()
    {
        var usage = await graph.Control.GetFromJsonAsync<JsonElement>("/__emulator/usage");
        var pages = usage.GetProperty("pages");
        return (pages.GetProperty("calls").GetInt64(), pages.GetProperty("cpu").GetDouble(), pages.GetProperty("time").GetDouble());
    }

    [Fact]
    public async Task A_page_snapshot_holds_what_the_profile_posts_comments_and_insights_reads_return()
    {
        var pageId = graph.PageId(0);
        var token = await graph.PageTokenAsync(pageId);
        var since = Now.AddDays(-200);

        var snapshot = (await Client.GetPageSnapshotAsync(pageId, token, since, Insights(PageMetrics))).Value;

        Assert.Equal((await Client.GetPageAsync(pageId, token)).Value, snapshot.Profile);
        var posts = await AllAsync(Client.GetPagePostsAsync(pageId, token, since: since, pageSize: 100));
        Assert.InRange(posts.Count, 10, 25);
        Assert.Equal(posts.Select(p => (p.Id, p.CommentCount, p.ReactionCount, p.ShareCount)), snapshot.Posts.Select(p => (p.Id, p.CommentCount, p.ReactionCount, p.ShareCount)));
        Assert.Null(snapshot.MorePostsAfter);
        Assert.Contains(snapshot.Posts, p => p.CommentCount > 0);
        foreach (var post in snapshot.Posts)
        {
            var comments = await AllAsync(Client.GetCommentsAsync(post.Id, token));
            Assert.Equal(comments.Select(c => (c.Id, c.Body)), post.Comments!.Items.Select(c => (c.Id, c.Body)));
            Assert.Equal(comments.Count, post.CommentCount);
        }

        var insights = (await Client.GetPageInsightsAsync(pageId, token, PageMetrics, "day", Now.AddDays(-3), Now)).Value;
        Assert.Equal(insights.Series.Select(s => (s.Name, s.Values!.Count)), snapshot.Insights.Select(s => (s.Name, s.Values!.Count)));
    }

    [Fact]
    public async Task Posts_and_threads_past_the_first_page_go_on_from_where_the_snapshot_stopped()
    {
        var pageId = graph.PageId(1);
        var token = await graph.PageTokenAsync(pageId);
        var since = Now.AddDays(-800);

        var snapshot = (await Client.GetPageSnapshotAsync(pageId, token, since, insights: null, posts: 7, comments: 1)).Value;

        Assert.Equal(7, snapshot.Posts.Count);
        Assert.NotNull(snapshot.MorePostsAfter);
        var rest = await AllAsync(Client.GetPagePostsAsync(pageId, token, since: since, pageSize: 100, after: snapshot.MorePostsAfter));
        var all = await AllAsync(Client.GetPagePostsAsync(pageId, token, since: since, pageSize: 100));
        Assert.Equal(all.Select(p => p.Id), snapshot.Posts.Concat(rest).Select(p => p.Id));
        Assert.Empty(snapshot.Insights);

        var thread = snapshot.Posts.First(p => p.CommentCount > 1);
        var more = await AllAsync(Client.GetCommentsAsync(thread.Id, token, after: thread.Comments!.NextCursor));
        var whole = await AllAsync(Client.GetCommentsAsync(thread.Id, token));
        Assert.Equal(whole.Select(c => c.Id), thread.Comments.Items.Concat(more).Select(c => c.Id));
        Assert.All(snapshot.Posts.Where(p => p.CommentCount <= 1), p => Assert.Null(p.Comments?.NextCursor));
    }

    [Fact]
    public async Task An_instagram_snapshot_holds_what_the_account_media_comments_and_insights_reads_return()
    {
        var igId = graph.InstagramId(0);
        var token = await graph.PageTokenAsync(graph.PageId(0));
        string[] metrics = ["reach", "follower_count"];

        var snapshot = (await Client.GetInstagramSnapshotAsync(igId, token, Insights(metrics), media: 10)).Value;

        Assert.Equal((await Client.GetInstagramAccountAsync(igId, token)).Value, snapshot.Profile);
        var media = await AllAsync(Client.GetInstagramMediaAsync(igId, token, maxItems: 10, pageSize: 10));
        Assert.Equal(media.Select(m => (m.Id, m.LikeCount, m.CommentsCount)), snapshot.Media.Select(m => (m.Id, m.LikeCount, m.CommentsCount)));
        Assert.NotNull(snapshot.MoreMediaAfter);
        foreach (var medium in snapshot.Media)
        {
            var comments = await AllAsync(Client.GetCommentsAsync(medium.Id, token, instagram: true));
            Assert.Equal(comments.Select(c => c.Id), medium.Comments!.Items.Select(c => c.Id));
        }

        var insights = (await Client.GetInstagramAccountInsightsAsync(igId, token, metrics, "day", Now.AddDays(-3), Now)).Value;
        Assert.Equal(insights.Series.Select(s => (s.Name, s.Values!.Count)), snapshot.Insights.Select(s => (s.Name, s.Values!.Count)));
    }

    [Fact]
    public async Task A_field_the_node_does_not_have_fails_the_request_as_on_graph()
    {
        var token = await graph.PageTokenAsync(graph.PageId(2));
        var post = (await AllAsync(Client.GetPagePostsAsync(graph.PageId(2), token, maxItems: 1))).Single();

        // Instagram's comment fields on a Page comment, and a Page comment's on an Instagram one.
        var onPage = await Assert.ThrowsAsync<GraphException>(() => Client.GetObjectAsync<JsonElement>(post.Id, token, "comments{id,text}"));
        var igToken = await graph.PageTokenAsync(graph.PageId(0));
        var medium = (await AllAsync(Client.GetInstagramMediaAsync(graph.InstagramId(0), igToken, maxItems: 1))).Single();
        var onMedium = await Assert.ThrowsAsync<GraphException>(() => AllAsync(Client.GetCommentsAsync(medium.Id, igToken)));

        Assert.Contains("nonexisting field (text) on node type (Comment)", onPage.Message);
        Assert.Contains("nonexisting field (message) on node type (IGComment)", onMedium.Message);

        // An empty edge (no comments yet, or limit 0) still has its fields checked.
        var empty = await Assert.ThrowsAsync<GraphException>(() => Client.GetObjectAsync<JsonElement>(post.Id, token, "comments.limit(0){id,text}"));
        Assert.Contains("nonexisting field (text) on node type (Comment)", empty.Message);
        var emptyPosts = await Assert.ThrowsAsync<GraphException>(() => Client.GetObjectAsync<JsonElement>(graph.PageId(2), token, "published_posts.limit(0){id,caption}"));
        Assert.Contains("nonexisting field (caption) on node type (Post)", emptyPosts.Message);

        // With Instagram's own fields the same reads succeed, and return comments where the medium has them
        // (the world's media are relative to now: the newest may have none yet, so look through a few).
        var read = new List<int>();
        foreach (var recent in await AllAsync(Client.GetInstagramMediaAsync(graph.InstagramId(0), igToken, maxItems: 10)))
        {
            read.Add((await AllAsync(Client.GetCommentsAsync(recent.Id, igToken, instagram: true))).Count);
        }

        Assert.Contains(read, count => count > 0);
    }

    [Fact]
    public async Task A_metric_graph_refuses_fails_the_whole_snapshot()
    {
        var pageId = graph.PageId(2);
        var token = await graph.PageTokenAsync(pageId);

        var error = await Assert.ThrowsAsync<GraphException>(() => Client.GetPageSnapshotAsync(pageId, token, Now.AddDays(-7), Insights("page_follows", "page_not_a_metric")));

        Assert.True(error.IsInvalidMetric, error.Message);
    }

    [Fact]
    public async Task A_snapshot_is_one_call_and_costs_less_cpu_than_the_reads_it_replaces_but_more_than_a_plain_read()
    {
        var pageId = graph.PageId(0);
        var token = await graph.PageTokenAsync(pageId);
        var since = Now.AddDays(-200);
        await graph.ResetAsync();

        await Client.GetPageAsync(pageId, token);
        var plain = await PagesSpentAsync();

        await graph.ResetAsync();
        await Client.GetPageAsync(pageId, token);
        var posts = await AllAsync(Client.GetPagePostsAsync(pageId, token, since: since, pageSize: 100));
        await Client.GetCommentsOfManyAsync(posts.Where(p => p.CommentCount > 0).Select(p => p.Id).ToList(), token);
        await Client.GetPageInsightsAsync(pageId, token, PageMetrics, "day", Now.AddDays(-3), Now);
        var separate = await PagesSpentAsync();

        await graph.ResetAsync();
        await Client.GetPageSnapshotAsync(pageId, token, since, Insights(PageMetrics));
        var snapshot = await PagesSpentAsync();

        Assert.Equal(1, plain.Calls);
        Assert.Equal(1, snapshot.Calls);
        Assert.True(separate.Calls >= 5, $"separate reads: {separate.Calls} calls");
        Assert.InRange(snapshot.Cpu, plain.Cpu * 2, separate.Cpu * 0.9);
        Assert.InRange(snapshot.Time, plain.Time * 2, separate.Time * 0.9);
    }

    [Fact]
    public async Task Heavy_snapshots_throttle_on_cpu_and_time_before_the_call_count_is_spent()
    {
        var pageId = graph.PageId(3);
        var token = await graph.PageTokenAsync(pageId, user: 1);
        graph.Emulator.State.Buckets.PageCallsPerDay = 10;

        GraphException? throttled = null;
        var calls = 0;
        while (throttled is null && calls < 10)
        {
            try
            {
                calls++;
                await Client.GetPageSnapshotAsync(pageId, token, Now.AddDays(-800), Insights(PageMetrics), posts: 50, comments: 25);
            }
            catch (GraphException exception) when (exception.Kind == GraphErrorKind.Throttled)
            {
                throttled = exception;
            }
        }

        Assert.NotNull(throttled);
        Assert.True(calls < 10, $"throttled only at call {calls}");
        var usage = Assert.Single(throttled!.Usage.BusinessUseCases).Level;
        Assert.True(usage.CallCount < 100, $"call_count {usage.CallCount}");
        Assert.True(usage.TotalTime >= 100, $"total_time {usage.TotalTime}");
    }
}
