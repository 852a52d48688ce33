using System.Text.Json;
using OrleansSocial.GraphEmulator.World;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Scheduling;

/// <summary>No stagger at all: every channel of a tenant falls due in the same second, and its first tick comes at once.</summary>
public sealed class SameSecondHost : TenancyHost
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings { get; } = new Dictionary<string, string?>
    {
        ["Sync:StaggerWindow"] = "00:00:00",
        ["Sync:InitialSyncWindow"] = "00:00:05",
    };
}

/// <summary>Scheduled runs of channels that share a tenant and a due time.</summary>
public sealed class ScheduledRunTests(SameSecondHost host) : IClassFixture<SameSecondHost>
{
    [Fact]
    public async Task Channels_of_one_tenant_due_in_the_same_second_each_keep_their_own_scheduled_run()
    {
        var tenant = await host.Api.CreateTenantAsync();
        var connected = await ApiClient.JsonAsync(await host.Api.TenantAsync(HttpMethod.Post, "/api/channels/facebook", tenant.Id, tenant.OwnerKey, new { userAccessToken = TokenStore.DemoUserToken }));
        var channels = connected.EnumerateArray().Select(c => c.GetProperty("channelId").GetString()!).ToList();
        Assert.True(channels.Count >= 2, "the demo user needs two Pages for this test");

        var runs = new Dictionary<string, JsonElement>();
        await Eventually.UntilAsync(async () =>
        {
            foreach (var channel in channels.Where(c => !runs.ContainsKey(c)))
            {
                var items = (await ApiClient.JsonAsync(await host.Api.TenantAsync(HttpMethod.Get, $"/api/channels/{channel}/sync-runs", tenant.Id, tenant.OwnerKey))).GetProperty("items");
                if (items.EnumerateArray().FirstOrDefault(r => r.GetProperty("trigger").GetString() == "scheduled" && r.GetProperty("status").GetString() == "succeeded") is { ValueKind: JsonValueKind.Object } run)
                {
                    runs[channel] = run.Clone();
                }
            }

            return runs.Count == channels.Count;
        }, TimeSpan.FromSeconds(60), () => $"scheduled runs found for: {string.Join(", ", runs.Keys)}");

        // Before run ids named their channel, the second channel's run overwrote the first's record.
        Assert.Equal(channels.Order(), runs.Keys.Order());
        Assert.Equal(channels.Count, runs.Values.Select(r => r.GetProperty("syncRunId").GetString()).Distinct().Count());
    }
}
