using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OrleansSocial.Host.GraphBackend;
using OrleansSocial.GraphEmulator.World;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Channels;

/// <summary>
/// Connecting accounts through the API, with the default profile's embedded Graph emulator
/// as the backend: channels per Page and per linked Instagram account, tokens only encrypted
/// in the tenant's own database, plan limits, reconnects, isolation and the audit log.
/// </summary>
public sealed class ChannelConnectionTests(TenancyHost host) : IClassFixture<TenancyHost>
{
    private const string DemoToken = TokenStore.DemoUserToken;

    private ApiClient Api => host.Api;

    private async Task<List<System.Text.Json.JsonElement>> ConnectAsync(ApiClient.Tenant tenant, string platform, HttpStatusCode expected = HttpStatusCode.Created)
    {
        var response = await Api.TenantAsync(HttpMethod.Post, $"/api/channels/{platform}", tenant.Id, tenant.OwnerKey, new { userAccessToken = DemoToken });
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return expected == HttpStatusCode.Created ? (await ApiClient.JsonAsync(response)).EnumerateArray().ToList() : [];
    }

    [Fact]
    public void The_default_profile_serves_graph_from_the_embedded_emulator()
    {
        var emulator = host.Host.Services.GetRequiredService<EmbeddedGraphEmulator>();
        Assert.True(emulator.Enabled);
        Assert.Equal("127.0.0.1", emulator.BaseUrl.Host);
    }

    [Fact]
    public async Task Facebook_connect_creates_one_channel_per_page_and_never_shows_a_token()
    {
        var tenant = await Api.CreateTenantAsync(plan: "pro");

        var channels = await ConnectAsync(tenant, "facebook");

        Assert.Equal(["fb-100000000000000", "fb-100000000000001"], channels.Select(c => c.GetProperty("channelId").GetString()));
        Assert.All(channels, c => Assert.Equal("active", c.GetProperty("status").GetString()));
        var listed = await (await Api.TenantAsync(HttpMethod.Get, "/api/channels", tenant.Id, tenant.OwnerKey)).Content.ReadAsStringAsync();
        Assert.Contains("fb-100000000000001", listed);
        Assert.DoesNotContain("EAAP", listed);
        Assert.DoesNotContain("token\"", listed.Replace("tokenExpiresAt\"", ""));
    }

    [Fact]
    public async Task Tokens_are_stored_only_encrypted_in_the_tenants_own_database()
    {
        var tenant = await Api.CreateTenantAsync(plan: "pro");
        await ConnectAsync(tenant, "facebook");

        var file = TenantFiles.PathOf(host.DataPath, tenant.Id);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var bytes = await TenantFiles.ReadRawAsync(file);
        Assert.Contains("fb-100000000000000", bytes);
        Assert.DoesNotContain("EAAP", bytes);
        Assert.DoesNotContain(DemoToken, bytes);
    }

    [Fact]
    public async Task Reconnecting_updates_instead_of_duplicating()
    {
        var tenant = await Api.CreateTenantAsync(plan: "pro");
        var before = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, tenant.OwnerKey));
        Assert.Equal(0, before.GetProperty("usage").GetProperty("channels").GetInt32());
        await ConnectAsync(tenant, "facebook");
        await ConnectAsync(tenant, "facebook");

        var list = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, "/api/channels", tenant.Id, tenant.OwnerKey));
        Assert.Equal(2, list.GetProperty("items").GetArrayLength());
        var view = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, tenant.OwnerKey));
        Assert.Equal(2, view.GetProperty("usage").GetProperty("channels").GetInt32());
    }

    [Fact]
    public async Task Instagram_connect_creates_one_channel_per_linked_business_account()
    {
        var tenant = await Api.CreateTenantAsync(plan: "pro");

        var channels = await ConnectAsync(tenant, "instagram");

        Assert.Equal(["ig-17841400000000000", "ig-17841400000000001"], channels.Select(c => c.GetProperty("channelId").GetString()));
        Assert.Equal("emulated_0", channels[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task The_plan_channel_limit_is_403_plan_limit_and_connects_nothing()
    {
        var tenant = await Api.CreateTenantAsync(plan: "free");
        await ConnectAsync(tenant, "facebook");

        var over = await Api.TenantAsync(HttpMethod.Post, "/api/channels/instagram", tenant.Id, tenant.OwnerKey, new { userAccessToken = DemoToken });

        var problem = await ProblemAssert.IsProblemAsync(over, 403);
        Assert.Equal("channels", problem.GetProperty("limit").GetString());
        var list = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, "/api/channels", tenant.Id, tenant.OwnerKey));
        Assert.Equal(2, list.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Concurrent_connects_cannot_together_exceed_the_plan_channel_limit()
    {
        // Free plan: 2 channels. Each connect brings 2 accounts, so exactly one of them fits.
        for (var round = 0; round < 3; round++)
        {
            var tenant = await Api.CreateTenantAsync(plan: "free");

            var answers = await Task.WhenAll(new[] { "facebook", "instagram" }.Select(platform =>
                Api.TenantAsync(HttpMethod.Post, $"/api/channels/{platform}", tenant.Id, tenant.OwnerKey, new { userAccessToken = DemoToken })));

            Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Created);
            Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Forbidden);
            var list = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, "/api/channels", tenant.Id, tenant.OwnerKey));
            Assert.Equal(2, list.GetProperty("items").GetArrayLength());
        }
    }

    [Fact]
    public async Task A_token_facebook_refuses_is_400_naming_the_field()
    {
        var tenant = await Api.CreateTenantAsync(plan: "pro");
        var response = await Api.TenantAsync(HttpMethod.Post, "/api/channels/facebook", tenant.Id, tenant.OwnerKey, new { userAccessToken = "EAAnot-a-real-token" });

        var problem = await ProblemAssert.IsProblemAsync(response, 400);
        Assert.Equal("userAccessToken", problem.GetProperty("field").GetString());
        Assert.DoesNotContain("EAAnot-a-real-token", problem.ToString());
    }

    [Fact]
    public async Task Channels_pause_disconnect_and_stay_inside_their_tenant()
    {
        var a = await Api.CreateTenantAsync(plan: "pro");
        var b = await Api.CreateTenantAsync(plan: "pro");
        await ConnectAsync(a, "facebook");

        var paused = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Patch, "/api/channels/fb-100000000000000", a.Id, a.OwnerKey, new { paused = true }));
        Assert.Equal("paused", paused.GetProperty("status").GetString());
        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Get, "/api/channels/fb-100000000000000", b.Id, b.OwnerKey), 404);
        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Get, "/api/channels/fb-100000000000000", b.Id, a.OwnerKey), 403);
        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Get, "/api/channels/..%2Fx", a.Id, a.OwnerKey), 404);

        Assert.Equal(HttpStatusCode.NoContent, (await Api.TenantAsync(HttpMethod.Delete, "/api/channels/fb-100000000000001", a.Id, a.OwnerKey)).StatusCode);
        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Get, "/api/channels/fb-100000000000001", a.Id, a.OwnerKey), 404);
        var usage = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, "/api/tenant", a.Id, a.OwnerKey));
        Assert.Equal(1, usage.GetProperty("usage").GetProperty("channels").GetInt32());

        var audit = await (await Api.TenantAsync(HttpMethod.Get, "/api/audit?limit=100", a.Id, a.OwnerKey)).Content.ReadAsStringAsync();
        Assert.Contains("channel.connected", audit);
        Assert.Contains("channel.changed", audit);
        Assert.Contains("channel.disconnected", audit);
    }

    [Fact]
    public async Task Viewers_read_channels_but_cannot_connect_them()
    {
        var tenant = await Api.CreateTenantAsync(plan: "pro");
        var (_, viewer) = await Api.AddMemberAsync(tenant, "viewer");

        Assert.Equal(HttpStatusCode.OK, (await Api.TenantAsync(HttpMethod.Get, "/api/channels", tenant.Id, viewer)).StatusCode);
        var problem = await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Post, "/api/channels/facebook", tenant.Id, viewer, new { userAccessToken = DemoToken }), 403);
        Assert.Contains("channels:manage", problem.GetProperty("detail").GetString());
    }
}

public sealed class ChannelDeletionTests(TenancyHost host) : IClassFixture<TenancyHost>
{
    [Fact]
    public async Task Deleting_a_tenant_removes_its_channels_even_from_active_grains()
    {
        var api = host.Api;
        var tenant = await api.CreateTenantAsync(plan: "pro");
        var connect = await api.TenantAsync(HttpMethod.Post, "/api/channels/facebook", tenant.Id, tenant.OwnerKey, new { userAccessToken = TokenStore.DemoUserToken });
        Assert.Equal(HttpStatusCode.Created, connect.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.TenantAsync(HttpMethod.Get, "/api/channels/fb-100000000000000", tenant.Id, tenant.OwnerKey)).StatusCode);

        var deleted = await api.OperatorAsync(HttpMethod.Delete, $"/admin/tenants/{tenant.Id}", headers: new Dictionary<string, string> { ["x-confirm-delete"] = tenant.Id });
        Assert.Equal(HttpStatusCode.Accepted, deleted.StatusCode);
        var again = await api.CreateTenantAsync(tenant.Id, plan: "pro");

        await ProblemAssert.IsProblemAsync(await api.TenantAsync(HttpMethod.Get, "/api/channels/fb-100000000000000", again.Id, again.OwnerKey), 404);
        var list = await ApiClient.JsonAsync(await api.TenantAsync(HttpMethod.Get, "/api/channels", again.Id, again.OwnerKey));
        Assert.Equal(0, list.GetProperty("items").GetArrayLength());
    }
}
