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
}
