using OrleansSocial.Graph;
using OrleansSocial.Graph.Models;

namespace OrleansSocial.Tests.Graph;

/// <summary>Every read call of the client against the emulator over HTTP.</summary>
public sealed class GraphClientReadTests(GraphEmulatorFixture graph) : IClassFixture<GraphEmulatorFixture>
{
    private GraphClient Client => graph.Client;

    private static async Task<List<T>> AllAsync<T>(IAsyncEnumerable<GraphPage<T>> pages)
    {
        var items = new List<T>();
        await foreach (var page in pages)
        {
            items.AddRange(page.Items);
        }

        return items;
    }

    [Fact]
    public async Task Short_token_exchanges_for_a_long_lived_one_and_debug_token_describes_both()
    {
        var exchanged = await Client.ExchangeForLongLivedTokenAsync(graph.UserToken());
        Assert.StartsWith("EAA", exchanged.Value.AccessToken);
        Assert.InRange(exchanged.Value.ExpiresIn!.Value, 5_000_000, 5_200_000);

        var info = (await Client.DebugTokenAsync(exchanged.Value.AccessToken)).Value;
        Assert.True(info.IsValid);
        Assert.Equal("USER", info.Type);
        Assert.True(info.ExpiresAt > DateTimeOffset.UtcNow.AddDays(50));

        var pageToken = await graph.PageTokenAsync(graph.PageId(0));
        var page = (await Client.DebugTokenAsync(pageToken)).Value;
        Assert.Equal("PAGE", page.Type);
        Assert.Null(page.ExpiresAt);
        Assert.Equal(graph.PageId(0), page.ProfileId);
    }

    [Fact]
    public async Task Accounts_list_the_users_pages_with_tokens_and_linked_instagram_accounts_across_pages()
    {
        var token = await graph.LongLivedUserTokenAsync(1);
        var pages = new List<GraphPage<PageAccount>>();
        await foreach (var page in Client.PagesAsync<PageAccount>("me/accounts", token, [("fields", "id,name,access_token,instagram_business_account"), ("limit", "1")], null))
        {
            pages.Add(page);
        }

        Assert.Equal(3, pages.Count);
        var accounts = pages.SelectMany(p => p.Items).ToList();
        Assert.Equal([graph.PageId(3), graph.PageId(4), graph.PageId(5)], accounts.Select(a => a.Id));
        Assert.All(accounts, a => Assert.False(string.IsNullOrEmpty(a.AccessToken)));
        Assert.Equal(graph.InstagramId(4), accounts[1].InstagramBusinessAccount?.Id);
    }

    [Fact]
    public async Task Page_profile_reads_counts_and_the_linked_account()
    {
        var token = await graph.PageTokenAsync(graph.PageId(1));
        var page = (await Client.GetPageAsync(graph.PageId(1), token)).Value;

        Assert.Equal(graph.PageId(1), page.Id);
        Assert.True(page.FanCount > 0);
        Assert.True(page.FollowersCount > 0);
        Assert.Equal(graph.InstagramId(1), page.InstagramBusinessAccount?.Id);
    }

    [Fact]
    public async Task Posts_page_to_the_end_exactly_once_each_with_engagement_from_field_expansion()
    {
        var token = await graph.PageTokenAsync(graph.PageId(0));
        var before = graph.CallsTo(graph.PageId(0));

        var posts = await AllAsync(Client.GetPagePostsAsync(graph.PageId(0), token));

        Assert.Equal(60, posts.Count);
        Assert.Equal(60, posts.Select(p => p.Id).Distinct().Count());
        Assert.Equal(3, graph.CallsTo(graph.PageId(0)) - before);
        Assert.True(posts.Zip(posts.Skip(1)).All(pair => pair.First.CreatedTime >= pair.Second.CreatedTime), "newest first");
        Assert.All(posts, p => Assert.True(p.ReactionCount > 0));
        Assert.Contains(posts, p => p.CommentCount > 0);
    }

    [Fact]
    public async Task A_callers_limit_stops_paging_without_extra_calls()
    {
        var token = await graph.PageTokenAsync(graph.PageId(2));
        var before = graph.CallsTo(graph.PageId(2));

        var posts = await AllAsync(Client.GetPagePostsAsync(graph.PageId(2), token, maxItems: 30));

        Assert.Equal(30, posts.Count);
        Assert.Equal(2, graph.CallsTo(graph.PageId(2)) - before);
    }

    [Theory]
    [InlineData("posts")]
    [InlineData("feed")]
    public async Task The_posts_and_feed_edges_read_like_published_posts(string edge)
    {
        var token = await graph.PageTokenAsync(graph.PageId(1));

        var posts = await AllAsync(Client.GetPagePostsAsync(graph.PageId(1), token, edge: edge, pageSize: 100));

        Assert.True(posts.Count >= 60);
        Assert.Throws<ArgumentOutOfRangeException>(() => Client.GetPagePostsAsync(graph.PageId(1), token, edge: "tagged"));
    }

    [Fact]
    public async Task Since_keeps_only_newer_posts()
    {
        var token = await graph.PageTokenAsync(graph.PageId(0));
        var since = DateTimeOffset.UtcNow.AddDays(-120);

        var posts = await AllAsync(Client.GetPagePostsAsync(graph.PageId(0), token, since: since));

        Assert.NotEmpty(posts);
        Assert.True(posts.Count < 60);
        Assert.All(posts, p => Assert.True(p.CreatedTime >= since));
    }

    [Fact]
    public async Task Comments_of_a_post_match_its_comment_count()
    {
        var token = await graph.PageTokenAsync(graph.PageId(0));
        var posts = await AllAsync(Client.GetPagePostsAsync(graph.PageId(0), token));
        var post = posts.First(p => p.CommentCount > 1);

        var comments = await AllAsync(Client.GetCommentsAsync(post.Id, token));

        Assert.Equal(post.CommentCount, comments.Count);
        Assert.All(comments, c => Assert.False(string.IsNullOrEmpty(c.Body)));
        Assert.All(comments, c => Assert.NotNull(c.At));
    }

    [Fact]
    public async Task Page_insights_read_daily_and_weekly_series_ending_at_pacific_midnight()
    {
        var token = await graph.PageTokenAsync(graph.PageId(0));
        var until = DateTimeOffset.UtcNow;

        var daily = (await Client.GetPageInsightsAsync(graph.PageId(0), token, ["page_post_engagements", "page_follows"], "day", until.AddDays(-7), until)).Value;
        var weekly = (await Client.GetPageInsightsAsync(graph.PageId(0), token, ["page_views_total"], "week", until.AddDays(-7), until)).Value;

        Assert.Empty(daily.RejectedMetrics);
        Assert.Equal(["page_post_engagements", "page_follows"], daily.Series.Select(s => s.Name));
        var values = daily.Series[0].Values!;
        Assert.InRange(values.Count, 6, 8);
        Assert.All(values, v => Assert.True(v.EndTime!.Value.Hour is 7 or 8, $"end_time {v.EndTime} is Pacific midnight"));
        Assert.All(values, v => Assert.True(v.Value!.Total > 0));
        Assert.Equal("week", Assert.Single(weekly.Series).Period);
    }

    [Fact]
    public async Task Rejected_metrics_are_dropped_and_named_and_the_rest_still_read()
    {
        var token = await graph.PageTokenAsync(graph.PageId(0));
        var until = DateTimeOffset.UtcNow;

        var result = (await Client.GetPageInsightsAsync(graph.PageId(0), token, ["page_fans", "page_follows", "page_impressions"], "day", until.AddDays(-3), until)).Value;

        Assert.Equal(["page_fans", "page_impressions"], result.RejectedMetrics);
        Assert.Equal("page_follows", Assert.Single(result.Series).Name);
    }

    [Fact]
    public async Task Breakdown_insight_values_are_objects()
    {
        var token = await graph.PageTokenAsync(graph.PageId(0));
        var until = DateTimeOffset.UtcNow;

        var result = (await Client.GetPageInsightsAsync(graph.PageId(0), token, ["page_follows_country"], "day", until.AddDays(-2), until)).Value;

        var value = Assert.Single(result.Series).Values![0].Value!;
        Assert.Null(value.Number);
        Assert.Contains("US", value.Breakdown!.Keys);
    }

    [Fact]
    public async Task Instagram_profile_media_and_insights_read()
    {
        var token = await graph.PageTokenAsync(graph.PageId(0));
        var ig = graph.InstagramId(0);

        var profile = (await Client.GetInstagramAccountAsync(ig, token)).Value;
        var media = await AllAsync(Client.GetInstagramMediaAsync(ig, token, pageSize: 7));
        var until = DateTimeOffset.UtcNow;
        var series = (await Client.GetInstagramAccountInsightsAsync(ig, token, ["reach", "follower_count"], "day", until.AddDays(-5), until)).Value;
        var totals = (await Client.GetInstagramAccountInsightsAsync(ig, token, ["reach", "views"], "day", until.AddDays(-5), until, totalValue: true)).Value;

        Assert.Equal(30, profile.MediaCount);
        Assert.Equal(30, media.Count);
        Assert.Equal(30, media.Select(m => m.Id).Distinct().Count());
        Assert.All(series.Series, s => Assert.NotEmpty(s.Values!));
        Assert.All(totals.Series, s => Assert.True(s.TotalValue!.Value!.Total > 0));
    }

    [Fact]
    public async Task Usage_headers_reach_the_caller_with_every_response()
    {
        var token = await graph.PageTokenAsync(graph.PageId(1));
        var userToken = await graph.LongLivedUserTokenAsync();

        var page = await Client.GetPageAsync(graph.PageId(1), token);
        var accounts = Client.GetAccountsAsync(userToken);
        GraphUsage? appUsage = null;
        await foreach (var p in accounts)
        {
            appUsage = p.Usage;
        }

        var business = Assert.Single(page.Usage.BusinessUseCases);
        Assert.Equal(graph.PageId(1), business.ObjectId);
        Assert.Equal("pages", business.Type);
        Assert.NotNull(appUsage!.App);
    }
}
