using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansSocial.Graph;
using OrleansSocial.GraphEmulator.World;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Posts;

/// <summary>A host whose publishing runs on short clocks: reminders tick every second, backoffs and polls are brief.</summary>
public class PublishingHost : TenancyHost
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings { get; } = new Dictionary<string, string?>
    {
        ["Orleans:MinimumReminderPeriod"] = "00:00:01",
        ["Publishing:ReminderPeriod"] = "00:00:01",
        ["Publishing:RetryBaseDelay"] = "00:00:00.200",
        ["Publishing:ContainerPollInitial"] = "00:00:00.500",
        ["Publishing:ContainerPollMax"] = "00:00:01",
        ["RateBudget:MinimumPause"] = "00:00:02",
        ["Emulator:VideoProcessing"] = "00:00:02",
        // No scheduled syncs: these tests count Graph calls.
        ["Sync:InitialSyncWindow"] = "1.00:00:00",
    };

    /// <summary>A new tenant with the demo user's Page and Instagram account connected.</summary>
    public async Task<ApiClient.Tenant> TenantWithChannelsAsync()
    {
        var tenant = await Api.CreateTenantAsync();
        Assert.Equal(HttpStatusCode.Created, (await Api.TenantAsync(HttpMethod.Post, "/api/channels/facebook", tenant.Id, tenant.OwnerKey, new { userAccessToken = TokenStore.DemoUserToken })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await Api.TenantAsync(HttpMethod.Post, "/api/channels/instagram", tenant.Id, tenant.OwnerKey, new { userAccessToken = TokenStore.DemoUserToken })).StatusCode);
        return tenant;
    }

    /// <summary>Creates the post, publishes it now, and returns it once every publication and first comment has settled.</summary>
    public async Task<JsonElement> PublishNowAsync(ApiClient.Tenant tenant, object body)
    {
        var response = await Api.TenantAsync(HttpMethod.Post, "/api/posts", tenant.Id, tenant.OwnerKey, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        var id = JsonDocument.Parse(text).RootElement.GetProperty("postId").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await Api.TenantAsync(HttpMethod.Post, $"/api/posts/{id}/publish-now", tenant.Id, tenant.OwnerKey)).StatusCode);
        return await Eventually.ValueAsync(
            async () => await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, $"/api/posts/{id}", tenant.Id, tenant.OwnerKey)),
            post => post.GetProperty("publications").EnumerateArray().All(p =>
                p.GetProperty("status").GetString() is not ("scheduled" or "publishing")
                && !(p.TryGetProperty("firstComment", out var c) && c.ValueKind == JsonValueKind.Object && c.GetProperty("status").GetString() == "pending")),
            TimeSpan.FromSeconds(45));
    }

    public async Task<JsonElement> PublicationsAsync(string ownerId) =>
        JsonDocument.Parse(await Emulator.GetStringAsync($"/__emulator/publications?ownerId={ownerId}")).RootElement.Clone();

    public async Task FaultAsync(object fault) =>
        Assert.Equal(HttpStatusCode.Created, (await Emulator.PostAsJsonAsync("/__emulator/faults", fault)).StatusCode);

    public async Task<long> CallsAsync(string methodAndEndpoint)
    {
        var log = JsonDocument.Parse(await Emulator.GetStringAsync("/__emulator/log")).RootElement;
        return log.GetProperty("byEndpoint").TryGetProperty(methodAndEndpoint, out var n) ? n.GetInt64() : 0;
    }

}

/// <summary>
/// Publishing against the emulator over HTTP: what lands on the Page and the Instagram account, and
/// effectively once when the outcome of a write is unknown.
/// </summary>
public sealed class PublishingTests(PublishingHost host) : IClassFixture<PublishingHost>
{
    private const string Page = "fb-100000000000000";
    private const string PageId = "100000000000000";
    private const string Instagram = "ig-17841400000000000";
    private const string InstagramId = "17841400000000000";

    private ApiClient Api => host.Api;

    private static string Soon => DateTimeOffset.UtcNow.AddSeconds(2).ToString("O");

    private static string Unique(string text) => $"{text} {Guid.NewGuid():N}";

    private Task<ApiClient.Tenant> TenantAsync() => host.TenantWithChannelsAsync();

    private async Task<string> CreateAsync(ApiClient.Tenant tenant, object body)
    {
        var response = await Api.TenantAsync(HttpMethod.Post, "/api/posts", tenant.Id, tenant.OwnerKey, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("postId").GetString()!;
    }

    private async Task<JsonElement> PostAsync(ApiClient.Tenant tenant, string postId) =>
        await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, $"/api/posts/{postId}", tenant.Id, tenant.OwnerKey));

    /// <summary>Polls the post until every publication has left scheduled and publishing.</summary>
    private async Task<JsonElement> SettledAsync(ApiClient.Tenant tenant, string postId, int seconds = 30)
    {
        try
        {
            return await Eventually.ValueAsync(() => PostAsync(tenant, postId),
                post => post.GetProperty("publications").EnumerateArray().All(p => p.GetProperty("status").GetString() is not ("scheduled" or "publishing")),
                TimeSpan.FromSeconds(seconds));
        }
        catch (TimeoutException timeout)
        {
            throw new TimeoutException($"post {postId} did not settle: {timeout.Message}\n{string.Join('\n', host.Host.Logs.Lines.Where(l => l.Contains(postId, StringComparison.Ordinal)).TakeLast(10))}");
        }
    }

    private static JsonElement Publication(JsonElement post, string channelId) =>
        post.GetProperty("publications").EnumerateArray().Single(p => p.GetProperty("channelId").GetString() == channelId);

    private async Task<List<JsonElement>> LandedAsync(string ownerId, string message) =>
        [.. (await host.PublicationsAsync(ownerId)).EnumerateArray().Where(p => p.GetProperty("message").GetString() == message)];

    [Fact]
    public async Task Facebook_text_link_photo_and_multi_photo_posts_land_on_the_page_once_each()
    {
        var tenant = await TenantAsync();
        var (text, link, photo, album) = (Unique("Text"), Unique("Link"), Unique("Photo"), Unique("Album"));
        var ids = new[]
        {
            await CreateAsync(tenant, new { channelIds = new[] { Page }, text, scheduledAt = Soon }),
            await CreateAsync(tenant, new { channelIds = new[] { Page }, text = link, link = "https://example.com/launch", scheduledAt = Soon }),
            await CreateAsync(tenant, new { channelIds = new[] { Page }, text = photo, mediaUrls = new[] { "https://cdn.example/1.jpg" }, scheduledAt = Soon }),
            await CreateAsync(tenant, new { channelIds = new[] { Page }, text = album, mediaUrls = new[] { "https://cdn.example/1.jpg", "https://cdn.example/2.jpg", "https://cdn.example/3.jpg" }, scheduledAt = Soon }),
        };

        foreach (var id in ids)
        {
            var post = await SettledAsync(tenant, id);
            Assert.Equal("published", post.GetProperty("status").GetString());
            var publication = Publication(post, Page);
            Assert.StartsWith(PageId + "_", publication.GetProperty("platformPostId").GetString());
            Assert.StartsWith("https://www.facebook.com/", publication.GetProperty("permalink").GetString());
        }

        var landed = new[] { text, link, photo, album }.Select(m => LandedAsync(PageId, m).Result).ToList();
        Assert.All(landed, l => Assert.Single(l));
        Assert.Equal("https://example.com/launch", landed[1][0].GetProperty("link").GetString());
        Assert.Equal("photo", landed[2][0].GetProperty("kind").GetString());
        Assert.Equal(3, landed[3][0].GetProperty("items").GetInt32());
    }

    [Fact]
    public async Task Instagram_image_video_and_carousel_posts_land_on_the_account_once_each()
    {
        var tenant = await TenantAsync();
        var (image, reel, carousel) = (Unique("Image"), Unique("Reel"), Unique("Carousel"));
        var ids = new[]
        {
            await CreateAsync(tenant, new { channelIds = new[] { Instagram }, text = image, mediaUrls = new[] { "https://cdn.example/a.jpg" }, scheduledAt = Soon }),
            await CreateAsync(tenant, new { channelIds = new[] { Instagram }, text = reel, mediaUrls = new[] { "https://cdn.example/a.mp4" }, scheduledAt = Soon }),
            await CreateAsync(tenant, new { channelIds = new[] { Instagram }, text = carousel, mediaUrls = new[] { "https://cdn.example/a.jpg", "https://cdn.example/b.mp4", "https://cdn.example/c.jpg" }, scheduledAt = Soon }),
        };

        foreach (var id in ids)
        {
            var publication = Publication(await SettledAsync(tenant, id), Instagram);
            Assert.Equal("published", publication.GetProperty("status").GetString());
            Assert.StartsWith("https://www.instagram.com/", publication.GetProperty("permalink").GetString());
        }

        Assert.Equal("image", Assert.Single(await LandedAsync(InstagramId, image)).GetProperty("kind").GetString());
        Assert.Equal("video", Assert.Single(await LandedAsync(InstagramId, reel)).GetProperty("kind").GetString());
        var album = Assert.Single(await LandedAsync(InstagramId, carousel));
        Assert.Equal("carousel_album", album.GetProperty("kind").GetString());
        Assert.Equal(3, album.GetProperty("items").GetInt32());
    }

    [Fact]
    public async Task A_variant_goes_to_its_channel_and_the_post_text_to_the_others()
    {
        var tenant = await TenantAsync();
        var (text, caption) = (Unique("For the Page"), Unique("For Instagram"));

        var id = await CreateAsync(tenant, new
        {
            channelIds = new[] { Page, Instagram }, text, scheduledAt = Soon,
            variants = new Dictionary<string, object> { [Instagram] = new { text = caption, mediaUrls = new[] { "https://cdn.example/v.jpg" } } },
        });

        Assert.Equal("published", (await SettledAsync(tenant, id)).GetProperty("status").GetString());
        Assert.Single(await LandedAsync(PageId, text));
        Assert.Single(await LandedAsync(InstagramId, caption));
        Assert.Empty(await LandedAsync(InstagramId, text));
    }

    [Fact]
    public async Task A_page_post_whose_connection_drops_after_the_server_acted_is_published_exactly_once()
    {
        var tenant = await TenantAsync();
        var text = Unique("Dropped");
        await host.FaultAsync(new { method = "POST", pathPrefix = $"{PageId}/feed", dropAfterProcessing = true, remaining = 1 });

        var id = await CreateAsync(tenant, new { channelIds = new[] { Page }, text });
        await Api.TenantAsync(HttpMethod.Post, $"/api/posts/{id}/publish-now", tenant.Id, tenant.OwnerKey);
        var publication = Publication(await SettledAsync(tenant, id), Page);

        Assert.Equal("published", publication.GetProperty("status").GetString());
        var landed = Assert.Single(await LandedAsync(PageId, text));
        Assert.Equal(landed.GetProperty("objectId").GetString(), publication.GetProperty("platformPostId").GetString());
        Assert.Contains(host.Host.Logs.Lines, l => l.Contains(id, StringComparison.Ordinal) && l.Contains("adopted: True", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_instagram_publish_whose_connection_drops_after_the_server_acted_is_published_exactly_once()
    {
        var tenant = await TenantAsync();
        var caption = Unique("Dropped reel");
        await host.FaultAsync(new { method = "POST", pathPrefix = $"{InstagramId}/media_publish", dropAfterProcessing = true, remaining = 1 });

        var id = await CreateAsync(tenant, new { channelIds = new[] { Instagram }, text = caption, mediaUrls = new[] { "https://cdn.example/d.jpg" } });
        await Api.TenantAsync(HttpMethod.Post, $"/api/posts/{id}/publish-now", tenant.Id, tenant.OwnerKey);
        var publication = Publication(await SettledAsync(tenant, id), Instagram);

        Assert.Equal("published", publication.GetProperty("status").GetString());
        var landed = Assert.Single(await LandedAsync(InstagramId, caption));
        Assert.Equal(landed.GetProperty("objectId").GetString(), publication.GetProperty("platformPostId").GetString());
    }

    [Fact]
    public async Task A_5xx_before_the_server_acted_is_retried_after_reading_back_and_publishes_once()
    {
        var tenant = await TenantAsync();
        var text = Unique("Bad gateway");
        await host.FaultAsync(new { method = "POST", pathPrefix = $"{PageId}/feed", httpStatus = 502, remaining = 2 });

        var id = await CreateAsync(tenant, new { channelIds = new[] { Page }, text });
        await Api.TenantAsync(HttpMethod.Post, $"/api/posts/{id}/publish-now", tenant.Id, tenant.OwnerKey);

        Assert.Equal("published", Publication(await SettledAsync(tenant, id), Page).GetProperty("status").GetString());
        Assert.Single(await LandedAsync(PageId, text));
    }

    [Fact]
    public async Task An_expired_token_fails_the_publication_with_needs_reauth_and_flags_the_channel()
    {
        var tenant = await TenantAsync();
        var text = Unique("Expired");
        await host.FaultAsync(new { method = "POST", pathPrefix = $"{PageId}/feed", code = 190, subcode = 463, message = "Error validating access token: Session has expired", remaining = 1 });

        var id = await CreateAsync(tenant, new { channelIds = new[] { Page }, text });
        await Api.TenantAsync(HttpMethod.Post, $"/api/posts/{id}/publish-now", tenant.Id, tenant.OwnerKey);
        var publication = Publication(await SettledAsync(tenant, id), Page);

        Assert.Equal("failed", publication.GetProperty("status").GetString());
        Assert.Equal("needs_reauth", publication.GetProperty("failureReason").GetString());
        Assert.True(publication.GetProperty("retryable").GetBoolean());
        var channel = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, $"/api/channels/{Page}", tenant.Id, tenant.OwnerKey));
        Assert.Equal("needs_reauth", channel.GetProperty("status").GetString());
        Assert.Empty(await LandedAsync(PageId, text));

        // Re-authorised, the retry publishes.
        Assert.Equal(HttpStatusCode.Created, (await Api.TenantAsync(HttpMethod.Post, "/api/channels/facebook", tenant.Id, tenant.OwnerKey, new { userAccessToken = TokenStore.DemoUserToken })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Api.TenantAsync(HttpMethod.Post, $"/api/posts/{id}/publications/{Page}/retry", tenant.Id, tenant.OwnerKey)).StatusCode);
        Assert.Equal("published", Publication(await SettledAsync(tenant, id), Page).GetProperty("status").GetString());
        Assert.Single(await LandedAsync(PageId, text));
    }

    [Fact]
    public async Task A_throttled_page_delays_publishing_until_the_bucket_regains_without_a_retry_storm()
    {
        var tenant = await TenantAsync();
        var text = Unique("Throttled");
        var before = await host.CallsAsync("POST {id}/feed");
        await host.FaultAsync(new { method = "POST", pathPrefix = $"{PageId}/feed", code = 32, message = "(#32) Page request limit reached", remaining = 1 });

        var id = await CreateAsync(tenant, new { channelIds = new[] { Page }, text });
        var started = DateTimeOffset.UtcNow;
        await Api.TenantAsync(HttpMethod.Post, $"/api/posts/{id}/publish-now", tenant.Id, tenant.OwnerKey);
        var publication = Publication(await SettledAsync(tenant, id), Page);

        Assert.Equal("published", publication.GetProperty("status").GetString());
        Assert.True(publication.GetProperty("publishedAt").GetDateTimeOffset() - started >= TimeSpan.FromSeconds(1.5), "published before the pause ended");
        Assert.Single(await LandedAsync(PageId, text));
        // One throttled call and one that went through, nothing in between.
        Assert.Equal(2, await host.CallsAsync("POST {id}/feed") - before);
    }

    [Fact]
    public async Task A_paused_channel_holds_its_publication_until_it_is_resumed_and_a_deleted_one_cancels_it()
    {
        var tenant = await TenantAsync();
        var (held, cancelled) = (Unique("Held"), Unique("Cancelled"));
        Assert.Equal(HttpStatusCode.OK, (await Api.TenantAsync(HttpMethod.Patch, $"/api/channels/{Page}", tenant.Id, tenant.OwnerKey, new { paused = true })).StatusCode);

        var id = await CreateAsync(tenant, new { channelIds = new[] { Page }, text = held });
        await Api.TenantAsync(HttpMethod.Post, $"/api/posts/{id}/publish-now", tenant.Id, tenant.OwnerKey);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!host.Host.Logs.Lines.Any(l => l.Contains(id, StringComparison.Ordinal) && l.Contains("is held", StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal("scheduled", Publication(await PostAsync(tenant, id), Page).GetProperty("status").GetString());
        Assert.Empty(await LandedAsync(PageId, held));

        Assert.Equal(HttpStatusCode.OK, (await Api.TenantAsync(HttpMethod.Patch, $"/api/channels/{Page}", tenant.Id, tenant.OwnerKey, new { paused = false })).StatusCode);
        Assert.Equal("published", Publication(await SettledAsync(tenant, id), Page).GetProperty("status").GetString());
        Assert.Single(await LandedAsync(PageId, held));

        var doomed = await CreateAsync(tenant, new { channelIds = new[] { Page }, text = cancelled, scheduledAt = Soon });
        Assert.Equal(HttpStatusCode.NoContent, (await Api.TenantAsync(HttpMethod.Delete, $"/api/channels/{Page}", tenant.Id, tenant.OwnerKey)).StatusCode);
        var publication = Publication(await SettledAsync(tenant, doomed), Page);
        Assert.Equal("cancelled", publication.GetProperty("status").GetString());
        Assert.Equal("channel_deleted", publication.GetProperty("failureReason").GetString());
        Assert.Empty(await LandedAsync(PageId, cancelled));
    }

    [Fact]
    public async Task Publish_now_and_retry_refuse_what_they_cannot_do()
    {
        var tenant = await TenantAsync();
        var id = await CreateAsync(tenant, new { channelIds = new[] { Page }, text = Unique("Refusals"), scheduledAt = DateTimeOffset.UtcNow.AddDays(1).ToString("O") });

        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Post, $"/api/posts/{id}/publications/{Page}/retry", tenant.Id, tenant.OwnerKey), 409);
        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Post, $"/api/posts/{id}/publications/{Instagram}/retry", tenant.Id, tenant.OwnerKey), 404);
        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Post, $"/api/posts/p0000000000000000/publish-now", tenant.Id, tenant.OwnerKey), 404);
        var (_, analystKey) = await Api.AddMemberAsync(tenant, "analyst");
        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Post, $"/api/posts/{id}/publish-now", tenant.Id, analystKey), 403);

        Assert.Equal(HttpStatusCode.OK, (await Api.TenantAsync(HttpMethod.Post, $"/api/posts/{id}/publish-now", tenant.Id, tenant.OwnerKey)).StatusCode);
        Assert.Equal("published", (await SettledAsync(tenant, id)).GetProperty("status").GetString());
        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Post, $"/api/posts/{id}/publish-now", tenant.Id, tenant.OwnerKey), 409);
        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Patch, $"/api/posts/{id}", tenant.Id, tenant.OwnerKey, new { channelIds = new[] { Page }, text = "too late" }), 409);
    }
}
