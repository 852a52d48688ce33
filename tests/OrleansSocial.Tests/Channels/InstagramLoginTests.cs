using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansSocial.GraphEmulator.World;
using OrleansSocial.Tests.Infrastructure;
using OrleansSocial.Tests.Posts;

namespace OrleansSocial.Tests.Channels;

/// <summary>
/// A publishing host whose emulator also plays Meta's webhooks, and whose Instagram Login tokens are
/// due for their refresh on every daily run (the product's clock does not move in a test; the
/// emulator's does, and the emulator still refuses a token younger than a day), with the expiry warning
/// as wide as a token's life so the warning that comes before a failed refresh is observable.
/// </summary>
public sealed class InstagramLoginHost : PublishingHost
{
    public const string VerifyToken = "instagram-login-verify-token";

    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>(base.ExtraSettings)
    {
        ["Sync:InstagramTokenRefreshAhead"] = "61.00:00:00",
        ["Sync:InstagramTokenMinimumAge"] = "00:00:00",
        ["Sync:TokenExpiryWarning"] = "61.00:00:00",
        ["Graph:WebhookVerifyToken"] = VerifyToken,
        ["Emulator:WebhookRetryEvery"] = "00:00:01",
        ["Webhooks:AllowPrivateNetworks"] = "true",
        ["Webhooks:ReminderPeriod"] = "00:00:01",
    };

    public WebhookReceiver Receiver { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Receiver = await WebhookReceiver.StartAsync();
        await MetaCallbackRegisteredAsync();
    }

    public override async Task DisposeAsync()
    {
        await Receiver.DisposeAsync();
        await base.DisposeAsync();
    }

    /// <summary>What Instagram's OAuth dialog hands the browser for the account: a short-lived token.</summary>
    public async Task<string> ShortLivedTokenAsync(string accountId)
    {
        var response = await Emulator.PostAsync($"/__emulator/instagram-login/{accountId}/token", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await ApiClient.JsonAsync(response)).GetProperty("accessToken").GetString()!;
    }

    public async Task AdvanceEmulatorClockAsync(TimeSpan by) =>
        (await Emulator.PostAsJsonAsync("/__emulator/clock", new { advanceSeconds = by.TotalSeconds })).EnsureSuccessStatusCode();
}

/// <summary>
/// Instagram professional accounts connected with Instagram Login (no Facebook Page) over HTTP against
/// the emulator's Instagram host: connect, sync, publish (image, carousel, story, first comment),
/// answer comments from the inbox, refresh the token, and a refresh that cannot happen.
/// </summary>
public sealed class InstagramLoginTests(InstagramLoginHost host) : IClassFixture<InstagramLoginHost>
{
    // The emulator's first account without a Page (3 users × 2 Pages come first).
    private const string AccountId = "17841400000000006";
    private const string Channel = "ig-" + AccountId;

    private ApiClient Api => host.Api;

    private static string Unique(string text) => $"{text} {Guid.NewGuid():N}";

    private async Task<ApiClient.Tenant> ConnectedTenantAsync()
    {
        var tenant = await Api.CreateTenantAsync(plan: "pro");
        var response = await Api.TenantAsync(HttpMethod.Post, "/api/channels/instagram-login", tenant.Id, tenant.OwnerKey, new { accessToken = await host.ShortLivedTokenAsync(AccountId) });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return tenant;
    }

    private async Task<JsonElement> ChannelAsync(ApiClient.Tenant tenant) =>
        await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, $"/api/channels/{Channel}", tenant.Id, tenant.OwnerKey));

    private async Task<JsonElement> SyncAndWaitAsync(ApiClient.Tenant tenant)
    {
        var accepted = await Api.TenantAsync(HttpMethod.Post, $"/api/channels/{Channel}/sync", tenant.Id, tenant.OwnerKey, new { kinds = new[] { "daily" } });
        Assert.True(accepted.StatusCode == HttpStatusCode.Accepted, await accepted.Content.ReadAsStringAsync());
        var runId = (await ApiClient.JsonAsync(accepted)).GetProperty("syncRunId").GetString();
        return await Eventually.ValueAsync(async () =>
            {
                var runs = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, $"/api/channels/{Channel}/sync-runs", tenant.Id, tenant.OwnerKey));
                return runs.GetProperty("items").EnumerateArray().FirstOrDefault(r => r.GetProperty("syncRunId").GetString() == runId);
            },
            run => run.ValueKind == JsonValueKind.Object && run.GetProperty("status").GetString() is "succeeded" or "failed",
            TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task An_account_without_a_page_connects_with_its_short_lived_token_and_never_shows_a_token()
    {
        var tenant = await Api.CreateTenantAsync(plan: "pro");
        var exchangesBefore = await host.CallsAsync("GET ig:access_token");

        var response = await Api.TenantAsync(HttpMethod.Post, "/api/channels/instagram-login", tenant.Id, tenant.OwnerKey, new { accessToken = await host.ShortLivedTokenAsync(AccountId) });

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        Assert.Equal($"/api/channels/{Channel}", response.Headers.Location?.OriginalString);
        var channel = JsonDocument.Parse(text).RootElement;
        Assert.Equal(Channel, channel.GetProperty("channelId").GetString());
        Assert.Equal("instagram", channel.GetProperty("platform").GetString());
        Assert.Equal("instagram", channel.GetProperty("login").GetString());
        Assert.Equal("emulated_6", channel.GetProperty("name").GetString());
        Assert.Equal("active", channel.GetProperty("status").GetString());
        // The long-lived token's 60 days, not the short-lived token's hour.
        Assert.True(channel.GetProperty("tokenExpiresAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddDays(59));
        Assert.Equal(exchangesBefore + 1, await host.CallsAsync("GET ig:access_token"));
        Assert.DoesNotContain("IGAA", text, StringComparison.Ordinal);
        var listed = await (await Api.TenantAsync(HttpMethod.Get, "/api/channels", tenant.Id, tenant.OwnerKey)).Content.ReadAsStringAsync();
        Assert.Contains(Channel, listed, StringComparison.Ordinal);
        Assert.DoesNotContain("IGAA", listed, StringComparison.Ordinal);

        // Reconnecting the same account updates the channel instead of adding one.
        Assert.Equal(HttpStatusCode.Created, (await Api.TenantAsync(HttpMethod.Post, "/api/channels/instagram-login", tenant.Id, tenant.OwnerKey,
            new { accessToken = await host.ShortLivedTokenAsync(AccountId) })).StatusCode);
        var list = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, "/api/channels", tenant.Id, tenant.OwnerKey));
        Assert.Single(list.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Tokens_that_are_not_instagram_login_tokens_are_refused_naming_the_field()
    {
        var tenant = await Api.CreateTenantAsync(plan: "pro");
        // A Facebook user token means nothing to the Instagram host.
        var facebook = await Api.TenantAsync(HttpMethod.Post, "/api/channels/instagram-login", tenant.Id, tenant.OwnerKey, new { accessToken = TokenStore.DemoUserToken });
        Assert.Equal("accessToken", (await ProblemAssert.IsProblemAsync(facebook, 400)).GetProperty("field").GetString());
        foreach (var body in new object[] { new { accessToken = "" }, new { accessToken = "   " }, new { accessToken = new string('x', 1001) }, new { accessToken = "IGAAnot-a-token" } })
        {
            var refused = await Api.TenantAsync(HttpMethod.Post, "/api/channels/instagram-login", tenant.Id, tenant.OwnerKey, body);
            Assert.Equal("accessToken", (await ProblemAssert.IsProblemAsync(refused, 400)).GetProperty("field").GetString());
        }

        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Post, "/api/channels/instagram-login", tenant.Id, tenant.OwnerKey, new { accessToken = (string?)null }), 400);
        // Connecting needs channels:manage: a viewer's or an analyst's key is refused before any Graph call.
        var exchanges = await host.CallsAsync("GET ig:access_token");
        foreach (var role in new[] { "viewer", "analyst" })
        {
            var (_, key) = await Api.AddMemberAsync(tenant, role);
            await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Post, "/api/channels/instagram-login", tenant.Id, key,
                new { accessToken = await host.ShortLivedTokenAsync(AccountId) }), 403);
        }

        Assert.Equal(exchanges, await host.CallsAsync("GET ig:access_token"));
        var channels = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, "/api/channels", tenant.Id, tenant.OwnerKey));
        Assert.Empty(channels.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task A_sync_reads_profile_media_and_comments_through_the_instagram_host()
    {
        var tenant = await ConnectedTenantAsync();
        // A medium of today with a fan's comment on it: what a daily sync must bring in.
        var published = await host.PublishNowAsync(tenant, new { channelIds = new[] { Channel }, text = Unique("Sourdough Sunday"), mediaUrls = new[] { "https://images.example.com/sd.jpg" } });
        var mediumId = published.GetProperty("publications")[0].GetProperty("platformPostId").GetString()!;
        var fan = Unique("Looks amazing");
        Assert.Equal(HttpStatusCode.Created, (await host.Emulator.PostAsJsonAsync("/__emulator/comments", new { on = mediumId, message = fan, fromName = "Robin Example" })).StatusCode);
        var facebookCalls = await host.CallsAsync("GET {id}");

        var run = await SyncAndWaitAsync(tenant);

        Assert.True(run.GetProperty("status").GetString() == "succeeded", run.ToString());
        var profile = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, $"/api/channels/{Channel}/profile", tenant.Id, tenant.OwnerKey));
        Assert.Equal("emulated_6", profile.GetProperty("username").GetString());
        Assert.True(profile.GetProperty("followers").GetInt64() > 0, profile.ToString());
        var posts = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, $"/api/channels/{Channel}/posts", tenant.Id, tenant.OwnerKey));
        Assert.Contains(posts.GetProperty("items").EnumerateArray(), m => m.GetProperty("postId").GetString() == mediumId);
        var comments = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, $"/api/channels/{Channel}/posts/{mediumId}/comments", tenant.Id, tenant.OwnerKey));
        Assert.Contains(comments.GetProperty("items").EnumerateArray(), c => c.GetProperty("message").GetString() == fan);
        var insights = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, $"/api/channels/{Channel}/insights?metric=reach", tenant.Id, tenant.OwnerKey));
        Assert.NotEmpty(insights.GetProperty("items").EnumerateArray());
        Assert.True(await host.CallsAsync("GET ig:{id}") > 0);
        // Nothing of this account went to graph.facebook.com (its token would be refused there).
        Assert.Equal(facebookCalls, await host.CallsAsync("GET {id}"));
    }

    [Fact]
    public async Task An_image_with_a_first_comment_a_carousel_and_a_story_land_on_the_account_once_each()
    {
        var tenant = await ConnectedTenantAsync();
        var image = await host.PublishNowAsync(tenant, new
        {
            channelIds = new[] { Channel },
            text = Unique("Fresh from the oven"),
            mediaUrls = new[] { "https://images.example.com/loaf.jpg" },
            firstComment = Unique("Recipe in bio"),
        });
        var carousel = await host.PublishNowAsync(tenant, new
        {
            channelIds = new[] { Channel },
            text = Unique("Three loaves"),
            mediaUrls = new[] { "https://images.example.com/a.jpg", "https://images.example.com/b.jpg", "https://images.example.com/c.jpg" },
        });
        var story = await host.PublishNowAsync(tenant, new
        {
            channelIds = new[] { Channel },
            mediaUrls = new[] { "https://images.example.com/counter.jpg" },
            variants = new Dictionary<string, object> { [Channel] = new { story = true } },
        });

        var landed = (await host.PublicationsAsync(AccountId)).EnumerateArray().ToList();
        foreach (var (post, kind, items) in new[] { (image, "image", 1), (carousel, "carousel_album", 3), (story, "story", 1) })
        {
            var publication = post.GetProperty("publications").EnumerateArray().Single();
            Assert.True(publication.GetProperty("status").GetString() == "published", publication.ToString());
            var platformId = publication.GetProperty("platformPostId").GetString();
            var one = Assert.Single(landed, p => p.GetProperty("objectId").GetString() == platformId);
            Assert.Equal(kind, one.GetProperty("kind").GetString());
            Assert.Equal(items, one.GetProperty("items").GetInt32());
        }

        var first = image.GetProperty("publications").EnumerateArray().Single().GetProperty("firstComment");
        Assert.Equal("posted", first.GetProperty("status").GetString());
        var onMedium = JsonDocument.Parse(await host.Emulator.GetStringAsync($"/__emulator/objects/{image.GetProperty("publications")[0].GetProperty("platformPostId").GetString()}/comments"))
            .RootElement.EnumerateArray().ToList();
        var comment = Assert.Single(onMedium);
        Assert.Equal(AccountId, comment.GetProperty("fromId").GetString());
        Assert.Equal(first.GetProperty("commentId").GetString(), comment.GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_fans_comment_reaches_the_inbox_by_webhook_and_the_reply_lands_as_the_account()
    {
        var tenant = await ConnectedTenantAsync();
        var fields = JsonDocument.Parse(await host.Emulator.GetStringAsync($"/__emulator/webhooks/subscribed-apps/{AccountId}")).RootElement.GetProperty("fields");
        Assert.Contains("comments", fields.EnumerateArray().Select(f => f.GetString()));

        var commented = await host.Emulator.PostAsJsonAsync("/__emulator/comments", new { on = "17900000000600004", message = Unique("Do you ship?"), fromName = "Sam Example" });
        Assert.Equal(HttpStatusCode.Created, commented.StatusCode);
        var commentId = (await ApiClient.JsonAsync(commented)).GetProperty("id").GetString()!;
        var conversationId = $"{Channel}.{commentId}";
        await Eventually.UntilAsync(async () => (await Api.TenantAsync(HttpMethod.Get, $"/api/inbox/{conversationId}", tenant.Id, tenant.OwnerKey)).IsSuccessStatusCode,
            TimeSpan.FromSeconds(30));

        var text = Unique("Yes, everywhere in the EU");
        var accepted = await Api.TenantAsync(HttpMethod.Post, $"/api/inbox/{conversationId}/replies", tenant.Id, tenant.OwnerKey, new { text });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var replyId = (await ApiClient.JsonAsync(accepted)).GetProperty("replyId").GetString();
        var conversation = await Eventually.ValueAsync(
            async () => await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, $"/api/inbox/{conversationId}", tenant.Id, tenant.OwnerKey)),
            c => c.GetProperty("replies").EnumerateArray().Any(r => r.GetProperty("replyId").GetString() == replyId && r.GetProperty("delivery").GetString() != "sending"),
            TimeSpan.FromSeconds(30));
        Assert.Equal("sent", conversation.GetProperty("replies").EnumerateArray().Single(r => r.GetProperty("replyId").GetString() == replyId).GetProperty("delivery").GetString());
        var onPlatform = JsonDocument.Parse(await host.Emulator.GetStringAsync($"/__emulator/comments/{commentId}")).RootElement
            .GetProperty("replies").EnumerateArray().Where(r => r.GetProperty("message").GetString() == text).ToList();
        Assert.Equal(AccountId, Assert.Single(onPlatform).GetProperty("fromId").GetString());

        var hidden = await Api.TenantAsync(HttpMethod.Post, $"/api/inbox/{conversationId}/hide", tenant.Id, tenant.OwnerKey);
        Assert.True(hidden.IsSuccessStatusCode, await hidden.Content.ReadAsStringAsync());
        Assert.True(JsonDocument.Parse(await host.Emulator.GetStringAsync($"/__emulator/comments/{commentId}")).RootElement.GetProperty("hidden").GetBoolean());
    }

    [Fact]
    public async Task The_token_is_refreshed_once_the_platform_allows_it_and_the_refreshed_token_keeps_working()
    {
        var tenant = await ConnectedTenantAsync();
        var connected = await ChannelAsync(tenant);
        var refreshes = await host.CallsAsync("GET ig:refresh_access_token");

        // Due by the product's rule, but the token is not a day old on the platform: refused, the token stays, the sync goes on.
        var early = await SyncAndWaitAsync(tenant);
        Assert.True(early.GetProperty("status").GetString() == "succeeded", early.ToString());
        Assert.Equal(refreshes + 1, await host.CallsAsync("GET ig:refresh_access_token"));
        Assert.Equal(connected.GetProperty("tokenIssuedAt").GetDateTimeOffset(), (await ChannelAsync(tenant)).GetProperty("tokenIssuedAt").GetDateTimeOffset());

        await host.AdvanceEmulatorClockAsync(TimeSpan.FromHours(25));
        var refreshed = await SyncAndWaitAsync(tenant);

        Assert.True(refreshed.GetProperty("status").GetString() == "succeeded", refreshed.ToString());
        Assert.Equal(refreshes + 2, await host.CallsAsync("GET ig:refresh_access_token"));
        var after = await ChannelAsync(tenant);
        Assert.True(after.GetProperty("tokenIssuedAt").GetDateTimeOffset() > connected.GetProperty("tokenIssuedAt").GetDateTimeOffset());
        Assert.True(after.GetProperty("tokenExpiresAt").GetDateTimeOffset() > connected.GetProperty("tokenExpiresAt").GetDateTimeOffset());
        Assert.Equal("active", after.GetProperty("status").GetString());

        // The refreshed token is the one in use: it is under a day old on the platform, so the next refresh is refused again (and the sync succeeds on it).
        var next = await SyncAndWaitAsync(tenant);
        Assert.True(next.GetProperty("status").GetString() == "succeeded", next.ToString());
        Assert.Equal(after.GetProperty("tokenIssuedAt").GetDateTimeOffset(), (await ChannelAsync(tenant)).GetProperty("tokenIssuedAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task A_token_past_its_sixty_days_cannot_be_refreshed_the_channel_warns_then_needs_reauth_and_a_new_login_restores_it()
    {
        var tenant = await ConnectedTenantAsync();
        var url = host.Receiver.Endpoint();
        var registered = await Api.TenantAsync(HttpMethod.Post, "/api/webhooks", tenant.Id, tenant.OwnerKey,
            new { url, events = new[] { "channel.token_expiring", "channel.needs_reauth" } });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);

        // Not refreshed within its 60 days, the token has expired on the platform.
        await host.AdvanceEmulatorClockAsync(TimeSpan.FromDays(61));
        var run = await SyncAndWaitAsync(tenant);

        Assert.Equal("failed", run.GetProperty("status").GetString());
        Assert.Contains("TokenInvalid", run.GetProperty("error").GetString());
        Assert.Equal("needs_reauth", (await ChannelAsync(tenant)).GetProperty("status").GetString());
        var received = await Eventually.ValueAsync(() => Task.FromResult(host.Receiver.To(url)), r => r.Count >= 2, TimeSpan.FromSeconds(20));
        Assert.Equal(["channel.token_expiring", "channel.needs_reauth"],
            received.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("type").GetString()));

        // Another account's token does not re-authorise this channel; a new login of the same account does.
        var stranger = await Api.TenantAsync(HttpMethod.Put, $"/api/channels/{Channel}/token", tenant.Id, tenant.OwnerKey,
            new { userAccessToken = await host.ShortLivedTokenAsync("17841400000000007") });
        Assert.Equal("userAccessToken", (await ProblemAssert.IsProblemAsync(stranger, 400)).GetProperty("field").GetString());
        var restored = await Api.TenantAsync(HttpMethod.Put, $"/api/channels/{Channel}/token", tenant.Id, tenant.OwnerKey,
            new { userAccessToken = await host.ShortLivedTokenAsync(AccountId) });
        Assert.True(restored.StatusCode == HttpStatusCode.OK, await restored.Content.ReadAsStringAsync());
        Assert.Equal("active", (await ApiClient.JsonAsync(restored)).GetProperty("status").GetString());
        Assert.Equal("succeeded", (await SyncAndWaitAsync(tenant)).GetProperty("status").GetString());
    }
}
