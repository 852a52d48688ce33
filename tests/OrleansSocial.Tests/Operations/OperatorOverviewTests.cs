using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansSocial.Graph;
using OrleansSocial.GraphEmulator.World;
using OrleansSocial.Grains.Operations;
using OrleansSocial.ReadModels.Operations;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Operations;

/// <summary>A host with short publishing clocks, a webhook allowance for the loopback receiver, and a past-due threshold of seconds.</summary>
public sealed class OverviewHost : TenancyHost
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings { get; } = new Dictionary<string, string?>
    {
        ["Orleans:MinimumReminderPeriod"] = "00:00:01",
        ["Publishing:ReminderPeriod"] = "00:00:01",
        ["Publishing:RetryBaseDelay"] = "00:00:00.200",
        ["Sync:InitialSyncWindow"] = "1.00:00:00",
        ["Webhooks:AllowPrivateNetworks"] = "true",
        ["Operations:PublishInterval"] = "00:00:01",
        ["Operations:DataPastDueAfter"] = "00:00:02",
    };
}

/// <summary>
/// <c>GET /admin/overview</c>: each figure moves when the thing it counts happens, through the
/// product's own routes (the overview reads only the catalog's board rows and the silos' figures).
/// </summary>
public sealed class OperatorOverviewTests(OverviewHost host) : IClassFixture<OverviewHost>
{
    private const string Page = "fb-100000000000000";
    private const string PageId = "100000000000000";

    private ApiClient Api => host.Api;

    private async Task<JsonElement> OverviewAsync()
    {
        var response = await Api.OperatorAsync(HttpMethod.Get, "/admin/overview");
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await ApiClient.JsonAsync(response);
    }

    private static long Count(JsonElement overview, params string[] path)
    {
        var element = overview;
        foreach (var step in path)
        {
            if (!element.TryGetProperty(step, out element))
            {
                return 0;
            }
        }

        return element.ValueKind == JsonValueKind.Number ? element.GetInt64() : 0;
    }

    private Task<JsonElement> UntilAsync(Func<JsonElement, bool> condition) =>
        Eventually.ValueAsync(OverviewAsync, condition, TimeSpan.FromSeconds(30));

    [Fact]
    public async Task Each_figure_moves_when_what_it_counts_happens()
    {
        var before = await OverviewAsync();
        Assert.Contains(before.GetProperty("servers").EnumerateArray(), s => s.GetProperty("healthy").GetBoolean());
        Assert.NotEmpty(before.GetProperty("silos").EnumerateArray());

        // Tenants by status and plan.
        var tenant = await Api.CreateTenantAsync(plan: "starter");
        var suspended = await Api.CreateTenantAsync(plan: "starter");
        Assert.Equal(HttpStatusCode.OK, (await Api.OperatorAsync(HttpMethod.Post, $"/admin/tenants/{suspended.Id}/suspend", new { reason = "overview test" })).StatusCode);
        var now = await OverviewAsync();
        Assert.Equal(Count(before, "tenants", "byStatus", "active") + 1, Count(now, "tenants", "byStatus", "active"));
        Assert.Equal(Count(before, "tenants", "byStatus", "suspended") + 1, Count(now, "tenants", "byStatus", "suspended"));
        Assert.Equal(Count(before, "tenants", "byPlan", "starter") + 2, Count(now, "tenants", "byPlan", "starter"));

        // A channel connected counts as active; paused, it counts as paused.
        Assert.Equal(HttpStatusCode.Created, (await Api.TenantAsync(HttpMethod.Post, "/api/channels/facebook", tenant.Id, tenant.OwnerKey, new { userAccessToken = TokenStore.DemoUserToken })).StatusCode);
        now = await OverviewAsync();
        Assert.True(Count(now, "channels", "byStatus", "active") >= Count(before, "channels", "byStatus", "active") + 1);
        var activeBefore = Count(now, "channels", "byStatus", "active");
        Assert.Equal(HttpStatusCode.OK, (await Api.TenantAsync(HttpMethod.Patch, $"/api/channels/{Page}", tenant.Id, tenant.OwnerKey, new { paused = true })).StatusCode);
        now = await OverviewAsync();
        Assert.Equal(Count(before, "channels", "byStatus", "paused") + 1, Count(now, "channels", "byStatus", "paused"));
        Assert.Equal(activeBefore - 1, Count(now, "channels", "byStatus", "active"));
        Assert.Equal(HttpStatusCode.OK, (await Api.TenantAsync(HttpMethod.Patch, $"/api/channels/{Page}", tenant.Id, tenant.OwnerKey, new { paused = false })).StatusCode);

        // A sync run counts by outcome; the Page's budget shows what Graph reported; with no good
        // daily sync within the (test's two-second) threshold, the channel's data is past due.
        var sync = await Api.TenantAsync(HttpMethod.Post, $"/api/channels/{Page}/sync", tenant.Id, tenant.OwnerKey);
        Assert.True(sync.StatusCode == HttpStatusCode.Accepted, await sync.Content.ReadAsStringAsync());
        now = await UntilAsync(o => Count(o, "syncs", "last24Hours", "succeeded") > Count(before, "syncs", "last24Hours", "succeeded"));
        Assert.Contains(now.GetProperty("budgets").EnumerateArray(), b => b.GetProperty("bucket").GetString()!.Contains(PageId, StringComparison.Ordinal));
        now = await UntilAsync(o => o.GetProperty("channels").GetProperty("oldestPastDue").ValueKind == JsonValueKind.Object);
        Assert.True(now.GetProperty("channels").GetProperty("oldestPastDue").GetProperty("overdueSeconds").GetDouble() >= 0);

        // A publication due in the next hour; one published (its lateness); one failed (by reason),
        // which also flags the channel needs_reauth.
        var later = await CreatePostAsync(tenant, DateTimeOffset.UtcNow.AddMinutes(30));
        now = await OverviewAsync();
        Assert.Equal(Count(before, "publishing", "dueNextHour") + 1, Count(now, "publishing", "dueNextHour"));
        Assert.True((await Api.TenantAsync(HttpMethod.Delete, $"/api/posts/{later}", tenant.Id, tenant.OwnerKey)).IsSuccessStatusCode);
        now = await OverviewAsync();
        Assert.Equal(Count(before, "publishing", "dueNextHour"), Count(now, "publishing", "dueNextHour"));

        await CreatePostAsync(tenant, DateTimeOffset.UtcNow.AddSeconds(2));
        now = await UntilAsync(o => Count(o, "publishing", "publishedLastHour") > Count(before, "publishing", "publishedLastHour"));
        Assert.True(now.GetProperty("publishing").GetProperty("latenessP50Seconds").GetDouble() > 0);
        Assert.True(now.GetProperty("publishing").GetProperty("latenessP99Seconds").GetDouble() > 0);

        Assert.Equal(HttpStatusCode.Created, (await host.Emulator.PostAsJsonAsync("/__emulator/faults", new { method = "POST", pathPrefix = $"{PageId}/feed", code = 190, subcode = 463, message = "Error validating access token: Session has expired", remaining = 1 })).StatusCode);
        await CreatePostAsync(tenant, DateTimeOffset.UtcNow.AddSeconds(2));
        now = await UntilAsync(o => Count(o, "publishing", "failuresLast24Hours", "needs_reauth") > Count(before, "publishing", "failuresLast24Hours", "needs_reauth"));
        Assert.Equal(Count(before, "channels", "byStatus", "needs_reauth") + 1, Count(now, "channels", "byStatus", "needs_reauth"));

        // Webhook deliveries waiting on an endpoint that fails, and the endpoint disabled.
        await using var receiver = await WebhookReceiver.StartAsync();
        var url = receiver.Endpoint([.. Enumerable.Repeat(503, 100)]);
        var created = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Post, "/api/webhooks", tenant.Id, tenant.OwnerKey, new { url, events = new[] { "post.published" } }));
        var webhookId = created.GetProperty("webhook").GetProperty("webhookId").GetString()!;
        Assert.Equal(HttpStatusCode.Accepted, (await Api.TenantAsync(HttpMethod.Post, $"/api/webhooks/{webhookId}/test", tenant.Id, tenant.OwnerKey)).StatusCode);
        now = await UntilAsync(o => Count(o, "webhooks", "deliveriesWaiting") > Count(before, "webhooks", "deliveriesWaiting"));
        Assert.True(now.GetProperty("webhooks").GetProperty("oldestWaitingSeconds").GetDouble() >= 0);
        Assert.Equal(HttpStatusCode.OK, (await Api.TenantAsync(HttpMethod.Patch, $"/api/webhooks/{webhookId}", tenant.Id, tenant.OwnerKey, new { enabled = false })).StatusCode);
        now = await OverviewAsync();
        Assert.Equal(Count(before, "webhooks", "endpointsDisabled") + 1, Count(now, "webhooks", "endpointsDisabled"));

        // Failed authentications, over the last ten minutes (the current one can roll over between reads).
        static long LastTen(JsonElement o) => o.GetProperty("authentication").GetProperty("perMinute").EnumerateArray().Sum(m => m.GetProperty("count").GetInt64());
        var failedBefore = LastTen(await OverviewAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, "osk_nothing_nothing")).StatusCode);
        Assert.True(LastTen(await OverviewAsync()) >= failedBefore + 1);

        // A deleted tenant takes its rows with it.
        Assert.Equal(HttpStatusCode.Accepted, (await Api.OperatorAsync(HttpMethod.Delete, $"/admin/tenants/{tenant.Id}", headers: new Dictionary<string, string> { ["x-confirm-delete"] = tenant.Id })).StatusCode);
        now = await OverviewAsync();
        Assert.Equal(Count(before, "webhooks", "endpointsDisabled"), Count(now, "webhooks", "endpointsDisabled"));
        Assert.Equal(Count(before, "channels", "byStatus", "needs_reauth"), Count(now, "channels", "byStatus", "needs_reauth"));
    }

    [Fact]
    public async Task A_channel_whose_token_expires_within_the_horizon_is_counted_and_one_beyond_it_is_not()
    {
        // Page tokens from a long-lived user token never expire (Graph's rule, which the emulator keeps),
        // so the row a channel grain keeps is written here as the grain writes it.
        var board = host.Host.Services.GetRequiredService<OperatorBoard>();
        var tenantId = $"ov-{Guid.NewGuid():N}"[..16];
        var before = await OverviewAsync();
        await board.KeepAsync(null, new BoardRow(BoardRow.ChannelKind, tenantId, "fb-1", "active", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(3)));
        await board.KeepAsync(null, new BoardRow(BoardRow.ChannelKind, tenantId, "fb-2", "active", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(30)));
        var now = await OverviewAsync();
        Assert.Equal(Count(before, "channels", "tokensExpiringSoon") + 1, Count(now, "channels", "tokensExpiringSoon"));
        await OperatorBoard.RemoveTenantAsync(host.Host.Services.GetRequiredService<OrleansSocial.Storage.Documents.IDocumentStore>(), tenantId, CancellationToken.None);
        Assert.Equal(Count(before, "channels", "tokensExpiringSoon"), Count(await OverviewAsync(), "channels", "tokensExpiringSoon"));
    }

    [Fact]
    public async Task The_overview_is_for_the_operator_only()
    {
        var tenant = await Api.CreateTenantAsync();
        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Get, "/admin/overview", tenant.Id, tenant.OwnerKey), 401);
        using var keyless = new HttpRequestMessage(HttpMethod.Get, "/admin/overview");
        await ProblemAssert.IsProblemAsync(await Api.Http.SendAsync(keyless), 401);
    }

    private async Task<string> CreatePostAsync(ApiClient.Tenant tenant, DateTimeOffset at)
    {
        var response = await Api.TenantAsync(HttpMethod.Post, "/api/posts", tenant.Id, tenant.OwnerKey, new { channelIds = new[] { Page }, text = $"Overview {Guid.NewGuid():N}", scheduledAt = at.ToString("O") });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("postId").GetString()!;
    }
}
