using System.Net;
using System.Text.Json;
using OrleansSocial.GraphEmulator.World;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Posts;

/// <summary>A publishing host with tight bounds: two seconds of lateness, one Instagram post per day.</summary>
public sealed class TightPublishingHost : TenancyHost
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings { get; } = new Dictionary<string, string?>
    {
        ["Orleans:MinimumReminderPeriod"] = "00:00:01",
        ["Publishing:ReminderPeriod"] = "00:00:01",
        ["Publishing:MaxLateness"] = "00:00:02",
        ["Emulator:PublishingQuota"] = "1",
        ["Sync:InitialSyncWindow"] = "1.00:00:00",
    };
}

/// <summary>What bounds publishing: how late a publication may go out, and Instagram's publishing quota.</summary>
public sealed class PublishingLimitsTests(TightPublishingHost host) : IClassFixture<TightPublishingHost>
{
    private const string Page = "fb-100000000000000";
    private const string Instagram = "ig-17841400000000000";

    private ApiClient Api => host.Api;

    private async Task<ApiClient.Tenant> TenantAsync(string platform)
    {
        var tenant = await Api.CreateTenantAsync();
        Assert.Equal(HttpStatusCode.Created, (await Api.TenantAsync(HttpMethod.Post, $"/api/channels/{platform}", tenant.Id, tenant.OwnerKey, new { userAccessToken = TokenStore.DemoUserToken })).StatusCode);
        return tenant;
    }

    private async Task<string> PublishNowAsync(ApiClient.Tenant tenant, object body)
    {
        var created = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Post, "/api/posts", tenant.Id, tenant.OwnerKey, body));
        var id = created.GetProperty("postId").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await Api.TenantAsync(HttpMethod.Post, $"/api/posts/{id}/publish-now", tenant.Id, tenant.OwnerKey)).StatusCode);
        return id;
    }

    private Task<JsonElement> SettledAsync(ApiClient.Tenant tenant, string postId) => Eventually.ValueAsync(
        async () => (await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, $"/api/posts/{postId}", tenant.Id, tenant.OwnerKey))).GetProperty("publications")[0],
        publication => publication.GetProperty("status").GetString() is not ("scheduled" or "publishing"),
        TimeSpan.FromSeconds(30));

    [Fact]
    public async Task A_publication_held_past_the_lateness_bound_fails_as_missed_and_a_retry_publishes_it()
    {
        var tenant = await TenantAsync("facebook");
        Assert.Equal(HttpStatusCode.OK, (await Api.TenantAsync(HttpMethod.Patch, $"/api/channels/{Page}", tenant.Id, tenant.OwnerKey, new { paused = true })).StatusCode);

        var id = await PublishNowAsync(tenant, new { channelIds = new[] { Page }, text = $"Too late {Guid.NewGuid():N}" });
        var missed = await SettledAsync(tenant, id);

        Assert.Equal("failed", missed.GetProperty("status").GetString());
        Assert.Equal("missed", missed.GetProperty("failureReason").GetString());
        Assert.True(missed.GetProperty("retryable").GetBoolean());

        Assert.Equal(HttpStatusCode.OK, (await Api.TenantAsync(HttpMethod.Patch, $"/api/channels/{Page}", tenant.Id, tenant.OwnerKey, new { paused = false })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Api.TenantAsync(HttpMethod.Post, $"/api/posts/{id}/publications/{Page}/retry", tenant.Id, tenant.OwnerKey)).StatusCode);
        Assert.Equal("published", (await SettledAsync(tenant, id)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Over_the_instagram_publishing_quota_a_publication_fails_with_reason_quota()
    {
        var tenant = await TenantAsync("facebook");
        Assert.Equal(HttpStatusCode.Created, (await Api.TenantAsync(HttpMethod.Post, "/api/channels/instagram", tenant.Id, tenant.OwnerKey, new { userAccessToken = TokenStore.DemoUserToken })).StatusCode);
        object Body() => new { channelIds = new[] { Instagram }, text = $"Quota {Guid.NewGuid():N}", mediaUrls = new[] { "https://cdn.example/q.jpg" } };

        var first = await SettledAsync(tenant, await PublishNowAsync(tenant, Body()));
        var second = await SettledAsync(tenant, await PublishNowAsync(tenant, Body()));

        Assert.Equal("published", first.GetProperty("status").GetString());
        Assert.Equal("failed", second.GetProperty("status").GetString());
        Assert.Equal("quota", second.GetProperty("failureReason").GetString());
        Assert.True(second.GetProperty("retryable").GetBoolean());
    }
}
