using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansSocial.GraphEmulator.World;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Naming;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Hardening;

/// <summary>
/// A sync run works beside the channel grain's request turns. Every change of the channel's record
/// must be atomic with respect to the others: a pause or a token replacement that arrives while the
/// run is in the middle of writing the record is never lost. The store holds the run's closing
/// write open so the request lands exactly in that gap.
/// </summary>
public sealed class ChannelRecordRaceTests : IAsyncLifetime
{
    private const string OperatorKey = "test-operator-key-race-0123456789abcdef";
    private const string Page = "fb-100000000000000";
    private readonly TempFolder _data = new();
    private PausingStore _store = null!;
    private ApiHost _host = null!;
    private ApiClient _api = null!;

    public Task InitializeAsync()
    {
        _host = new ApiHost(_data.Path, new Dictionary<string, string?>
        {
            ["Operator:ApiKey"] = OperatorKey,
            ["Sync:InitialSyncWindow"] = "1.00:00:00",
        }, PausingStore.Install("channels", store => _store = store));
        _api = new ApiClient(_host.CreateHttpClient(), OperatorKey);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _store?.Release();
        await _host.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _data.Dispose();
    }

    public static TheoryData<string> Changes => ["pause", "token"];

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task A_change_arriving_while_the_run_writes_the_channel_is_not_lost(string change)
    {
        var tenant = await _api.CreateTenantAsync();
        Assert.Equal(HttpStatusCode.Created, (await _api.TenantAsync(HttpMethod.Post, "/api/channels/facebook", tenant.Id, tenant.OwnerKey, new { userAccessToken = TokenStore.DemoUserToken })).StatusCode);
        var channels = _host.Services.GetRequiredService<IDocumentStore>().GetDatabase(StorageNames.TenantDatabase(tenant.Id)).GetCollection("channels");

        // Hold the run's closing write: the one that clears the open run and records the daily result.
        JsonElement held = default;
        var caught = _store.Arm(document =>
        {
            var closing = document.GetProperty("activeRunId").ValueKind == JsonValueKind.Null
                && document.TryGetProperty("schedule", out var schedule) && schedule.ValueKind == JsonValueKind.Object
                && schedule.TryGetProperty("daily", out var daily) && daily.GetProperty("lastStatus").ValueKind == JsonValueKind.String
                && !document.GetProperty("paused").GetBoolean();
            if (closing)
            {
                held = document.Clone();
            }

            return closing;
        });
        Assert.Equal(HttpStatusCode.Accepted, (await _api.TenantAsync(HttpMethod.Post, $"/api/channels/{Page}/sync", tenant.Id, tenant.OwnerKey, new { kinds = new[] { "daily" } })).StatusCode);
        Assert.Same(caught, await Task.WhenAny(caught, Task.Delay(TimeSpan.FromSeconds(60))));

        var request = change == "pause"
            ? _api.TenantAsync(HttpMethod.Patch, $"/api/channels/{Page}", tenant.Id, tenant.OwnerKey, new { paused = true })
            : _api.TenantAsync(HttpMethod.Put, $"/api/channels/{Page}/token", tenant.Id, tenant.OwnerKey, new { userAccessToken = TokenStore.DemoUserToken });
        // Either the request waits for the run's write (as it must), or it slips into the gap: give it the chance.
        await Task.WhenAny(request, Task.Delay(TimeSpan.FromSeconds(2)));
        _store.Release();
        Assert.Equal(HttpStatusCode.OK, (await request).StatusCode);

        var stored = (await channels.GetAsync(Page, CancellationToken.None))!.Value;
        var view = await ApiClient.JsonAsync(await _api.TenantAsync(HttpMethod.Get, $"/api/channels/{Page}", tenant.Id, tenant.OwnerKey));
        Assert.Equal(JsonValueKind.Null, stored.GetProperty("activeRunId").ValueKind);
        Assert.Equal("succeeded", stored.GetProperty("schedule").GetProperty("daily").GetProperty("lastStatus").GetString());
        if (change == "pause")
        {
            Assert.True(stored.GetProperty("paused").GetBoolean());
            Assert.Equal("paused", view.GetProperty("status").GetString());
        }
        else
        {
            // The run's held write carried the old token; the new one must be what is stored now.
            Assert.NotEqual(held.GetProperty("token").GetRawText(), stored.GetProperty("token").GetRawText());
        }

        // A later request still sees one consistent record.
        Assert.Equal(HttpStatusCode.OK, (await _api.TenantAsync(HttpMethod.Patch, $"/api/channels/{Page}", tenant.Id, tenant.OwnerKey, new { paused = false })).StatusCode);
        Assert.False((await channels.GetAsync(Page, CancellationToken.None))!.Value.GetProperty("paused").GetBoolean());
    }
}
