using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansSocial.Graph;
using OrleansSocial.GraphEmulator.World;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Inbox;

/// <summary>
/// A notification we could not record is not answered 200, so Meta (the emulator) sends it again, and
/// once recording works it arrives: nothing is lost between taking an event and recording it.
/// </summary>
public sealed class MetaRetryTests : IAsyncLifetime
{
    private readonly TempFolder _data = new();
    private PausingStore _store = null!;
    private ApiHost _host = null!;
    private ApiClient _api = null!;
    private HttpClient _emulator = null!;

    public async Task InitializeAsync()
    {
        _host = new ApiHost(_data.Path, new Dictionary<string, string?>
        {
            ["Operator:ApiKey"] = TenancyHost.OperatorKey,
            ["Graph:WebhookVerifyToken"] = InboxHost.VerifyToken,
            ["Emulator:WebhookRetryEvery"] = "00:00:01",
            ["Sync:InitialSyncWindow"] = "1.00:00:00",
            ["Inbox:SweepPeriod"] = "00:00:01",
        }, PausingStore.Install("meta_events", s => _store = s));
        _api = new ApiClient(_host.CreateHttpClient(), TenancyHost.OperatorKey);
        _emulator = new HttpClient { BaseAddress = new Uri(_host.Services.GetRequiredService<IOptions<GraphOptions>>().Value.BaseUrl) };
        await Eventually.UntilAsync(async () => (await _emulator.GetStringAsync("/__emulator/webhooks/subscriptions")).Contains("/webhooks/meta", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync()
    {
        _emulator.Dispose();
        _api.Http.Dispose();
        await _host.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _data.Dispose();
    }

    [Fact]
    public async Task A_notification_that_could_not_be_recorded_is_answered_with_an_error_retried_by_meta_and_arrives_once_recording_works()
    {
        var tenant = await _api.CreateTenantAsync();
        var connected = await _api.TenantAsync(HttpMethod.Post, "/api/channels/facebook", tenant.Id, tenant.OwnerKey, new { userAccessToken = TokenStore.DemoUserToken });
        Assert.True(connected.IsSuccessStatusCode, await connected.Content.ReadAsStringAsync());

        _store.FailInserts(new IOException("the catalog's disk is gone"));
        var created = await _emulator.PostAsJsonAsync("/__emulator/comments", new { on = "100000000000000_200000000000011", message = "Recorded at last?" });
        var commentId = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        var refused = await Eventually.ValueAsync(
            async () => JsonDocument.Parse(await _emulator.GetStringAsync("/__emulator/webhooks/deliveries")).RootElement.Clone(),
            d => d.EnumerateArray().Any(x => x.GetProperty("attempts").GetInt32() >= 2 && x.GetProperty("status").GetString() == "pending"), TimeSpan.FromSeconds(30));
        Assert.All(refused.EnumerateArray(), d => Assert.NotEqual(200, d.GetProperty("lastStatusCode").ValueKind == JsonValueKind.Number ? d.GetProperty("lastStatusCode").GetInt32() : 0));
        var conversationId = $"{InboxHost.Page}.{commentId}";
        Assert.False((await _api.TenantAsync(HttpMethod.Get, $"/api/inbox/{conversationId}", tenant.Id, tenant.OwnerKey)).IsSuccessStatusCode);

        _store.FailInserts(null);
        await Eventually.UntilAsync(async () => (await _api.TenantAsync(HttpMethod.Get, $"/api/inbox/{conversationId}", tenant.Id, tenant.OwnerKey)).IsSuccessStatusCode,
            TimeSpan.FromSeconds(30));
        var deliveries = JsonDocument.Parse(await _emulator.GetStringAsync("/__emulator/webhooks/deliveries")).RootElement;
        Assert.Contains(deliveries.EnumerateArray(), d => d.GetProperty("status").GetString() == "delivered" && d.GetProperty("attempts").GetInt32() >= 2);
    }

    [Fact]
    public async Task A_notification_recorded_by_a_silo_that_died_before_routing_it_is_routed_by_the_sweep()
    {
        var tenant = await _api.CreateTenantAsync();
        var connected = await _api.TenantAsync(HttpMethod.Post, "/api/channels/facebook", tenant.Id, tenant.OwnerKey, new { userAccessToken = TokenStore.DemoUserToken });
        Assert.True(connected.IsSuccessStatusCode, await connected.Content.ReadAsStringAsync());

        // What Record leaves when its process dies right after the insert (before Route ran): the raw body in meta_events.
        var commentId = "200000000000015_" + Random.Shared.NextInt64(10_000_000_000, 99_999_999_999);
        var post = "100000000000000_200000000000015";
        var body = JsonSerializer.Serialize(new
        {
            @object = "page",
            entry = new[] { new { id = "100000000000000", time = 1780395300, changes = new[] { new { field = "feed", value = new
            {
                item = "comment", verb = "add", comment_id = commentId, post_id = post, parent_id = post, from = new { id = "6000000000000001", name = "Jamie" },
                message = "left behind by a crash", created_time = 1780395296,
            } } } } },
        });
        var store = _host.Services.GetRequiredService<OrleansSocial.Storage.Documents.IDocumentStore>();
        var id = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(body)));
        await store.Catalog.GetCollection("meta_events").UpsertAsync(id, JsonSerializer.SerializeToElement(new
        {
            id, receivedAt = OrleansSocial.Storage.Documents.StoredTime.Of(DateTimeOffset.UtcNow.AddMinutes(-1)), body,
        }), CancellationToken.None);

        await Eventually.UntilAsync(async () =>
            (await _api.TenantAsync(HttpMethod.Get, $"/api/inbox/{InboxHost.Page}.{commentId}", tenant.Id, tenant.OwnerKey)).IsSuccessStatusCode, TimeSpan.FromSeconds(30));
        await Eventually.UntilAsync(async () => await store.Catalog.GetCollection("meta_events").GetAsync(id, CancellationToken.None) is null, TimeSpan.FromSeconds(30));
    }
}
