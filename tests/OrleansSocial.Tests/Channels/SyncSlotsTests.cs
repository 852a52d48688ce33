using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansSocial.GraphEmulator.Graph;
using OrleansSocial.GraphEmulator.World;
using OrleansSocial.Grains.Channels.Sync;
using OrleansSocial.Host.GraphBackend;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Channels;

/// <summary>A silo that works on one sync at a time.</summary>
public sealed class OneSyncAtATimeHost : TenancyHost
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings { get; } = new Dictionary<string, string?>
    {
        ["Sync:MaxConcurrentRuns"] = "1",
        ["Sync:InitialSyncWindow"] = "1.00:00:00",
    };
}

/// <summary>Syncs past a silo's bound wait their turn, shown as running, and all finish.</summary>
public sealed class SyncSlotsTests(OneSyncAtATimeHost host) : IClassFixture<OneSyncAtATimeHost>
{
    [Fact]
    public async Task Syncs_beyond_the_silos_bound_queue_and_every_one_finishes()
    {
        var api = host.Api;
        var tenant = await api.CreateTenantAsync(plan: "pro");
        var connected = await ApiClient.JsonAsync(await api.TenantAsync(HttpMethod.Post, "/api/channels/facebook", tenant.Id, tenant.OwnerKey, new { userAccessToken = TokenStore.DemoUserToken }));
        var channels = connected.EnumerateArray().Select(c => c.GetProperty("channelId").GetString()!).ToList();
        Assert.True(channels.Count >= 2);
        var emulator = host.Host.Services.GetRequiredService<EmbeddedGraphEmulator>().State;
        var slots = host.Host.Services.GetRequiredService<SyncSlots>();
        emulator.Faults.Add(new Fault { LatencyMs = 400 });
        try
        {
            foreach (var channel in channels)
            {
                var accepted = await api.TenantAsync(HttpMethod.Post, $"/api/channels/{channel}/sync", tenant.Id, tenant.OwnerKey, new { kinds = new[] { "daily" } });
                Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            }

            // One works, the others wait for its slot, and say they are running meanwhile.
            await Eventually.UntilAsync(() => Task.FromResult(slots.Waiting == channels.Count - 1), TimeSpan.FromSeconds(20), () => $"waiting: {slots.Waiting}");
            var last = await LatestRunAsync(tenant, channels[^1]);
            Assert.Equal("running", last.GetProperty("status").GetString());
        }
        finally
        {
            emulator.Faults.Clear();
        }

        foreach (var channel in channels)
        {
            var run = await Eventually.ValueAsync(() => LatestRunAsync(tenant, channel), r => r.GetProperty("status").GetString() != "running", TimeSpan.FromSeconds(60));
            Assert.Equal("succeeded", run.GetProperty("status").GetString());
        }

        Assert.Equal(0, slots.Waiting);
    }

    private async Task<JsonElement> LatestRunAsync(ApiClient.Tenant tenant, string channel) =>
        (await ApiClient.JsonAsync(await host.Api.TenantAsync(HttpMethod.Get, $"/api/channels/{channel}/sync-runs?limit=1", tenant.Id, tenant.OwnerKey))).GetProperty("items")[0];
}
