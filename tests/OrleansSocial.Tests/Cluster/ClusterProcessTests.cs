using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Xunit.Abstractions;
using OrleansSocial.GraphEmulator;
using OrleansSocial.GraphEmulator.World;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Cluster;

/// <summary>
/// Cluster mode for real: three processes of the host on loopback sharing a throwaway PostgreSQL
/// (Orleans membership, reminders, grain state, and the tenant databases), one emulator as their
/// Graph backend. One silo is killed with SIGKILL in the middle of the work.
/// </summary>
public sealed class ClusterProcessTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string OperatorKey = "cluster-test-operator-key-0123456789abcdef";
    private ClusterEnvironment _cluster = null!;

    private List<SiloProcess> Silos => _cluster.Silos;

    public async Task InitializeAsync() => _cluster = await ClusterEnvironment.StartAsync("orleans-social-3silo", o =>
    {
        o.Users = 1;
        o.PagesPerUser = 2;
    });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private Dictionary<string, string> Settings() => _cluster.Settings(OperatorKey, "three-silos", new Dictionary<string, string>
    {
        // New channels' first syncs spread over 30 s: most of their reminders fire after the kill.
        ["Sync:InitialSyncWindow"] = "00:00:30",
        ["Sync:CatchUpPeriod"] = "00:00:05",
    });

    [Fact]
    public async Task Three_silo_processes_survive_a_sigkill_with_every_tenant_channel_and_reminder_intact()
    {
        for (var i = 0; i < 3; i++)
        {
            _cluster.StartSilo(i, Settings());
        }

        await Task.WhenAll(Silos.Select(s => s.WaitReadyAsync(TimeSpan.FromSeconds(90))));
        Assert.Equal(3, await ActiveSilosAsync());

        // A browser opens the dashboard of one silo with the operator key and sees all three.
        var silosPage = await HeadlessChromium.RenderedTextAsync(
            new Uri($"http://operator:{OperatorKey}@127.0.0.1:{Silos[0].HttpPort}/dashboard/#/silos"), TimeSpan.FromSeconds(10));
        Assert.Contains("Active Silos 3", silosPage);
        Assert.All(Silos, silo => Assert.Contains($"127.0.0.1:{silo.SiloPort}", silosPage));

        // Tenants and channels created through different silos: any silo takes any request.
        var tenants = new List<(string Id, string Key)>();
        for (var i = 0; i < 3; i++)
        {
            var silo = Silos[i];
            var tenant = await CreateTenantAsync(silo.Http, $"cl-{i}-{Guid.NewGuid():N}"[..16]);
            var connect = await Send(silo.Http, HttpMethod.Post, "/api/channels/facebook", tenant, new { userAccessToken = TokenStore.DemoUserToken });
            Assert.True(connect.StatusCode == HttpStatusCode.Created, await connect.Content.ReadAsStringAsync());
            tenants.Add(tenant);
        }

        var victim = Silos[1];
        victim.Kill();
        var killedAt = DateTimeOffset.UtcNow;
        var survivors = new[] { Silos[0], Silos[2] };

        // The API answers through the survivors once membership has declared the dead silo; until
        // then a survivor says to come back (503 + Retry-After), never 500.
        var recovery = Stopwatch.StartNew();
        var refusals = new List<string>();
        foreach (var tenant in tenants)
        {
            foreach (var silo in survivors)
            {
                await EventuallyAsync(async () =>
                {
                    using var response = await Send(silo.Http, HttpMethod.Get, "/api/tenant", tenant);
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        refusals.Add($"{(int)response.StatusCode} Retry-After {response.Headers.RetryAfter?.Delta?.TotalSeconds}: {await response.Content.ReadAsStringAsync()}");
                    }

                    return response.StatusCode == HttpStatusCode.OK;
                }, TimeSpan.FromSeconds(60));
            }
        }

        recovery.Stop();
        output.WriteLine($"every tenant answered through both survivors {recovery.Elapsed.TotalSeconds:F1} s after the SIGKILL; {refusals.Count} refusals before");
        Assert.All(refusals, refusal => Assert.StartsWith("503 Retry-After 5: ", refusal));
        Assert.True(recovery.Elapsed < TimeSpan.FromSeconds(60), $"recovered after {recovery.Elapsed}");
        await EventuallyAsync(async () => await ActiveSilosAsync() == 2, TimeSpan.FromSeconds(60));

        // Every tenant and channel is still there, read through either survivor.
        foreach (var tenant in tenants)
        {
            var channels = await ReadJsonAsync(await Send(survivors[tenant.GetHashCode() & 1].Http, HttpMethod.Get, "/api/channels", tenant));
            Assert.Equal(2, channels.GetProperty("items").GetArrayLength());
        }

        // Reminders registered before the kill fire after it (those the dead silo held included):
        // every channel gets its first scheduled sync, exactly once.
        var started = new List<DateTimeOffset>();
        foreach (var tenant in tenants)
        {
            foreach (var channel in new[] { "fb-100000000000000", "fb-100000000000001" })
            {
                JsonElement runs = default;
                await EventuallyAsync(async () =>
                {
                    runs = (await ReadJsonAsync(await Send(survivors[0].Http, HttpMethod.Get, $"/api/channels/{channel}/sync-runs", tenant))).GetProperty("items");
                    return runs.EnumerateArray().Any(r => r.GetProperty("status").GetString() == "succeeded");
                }, TimeSpan.FromSeconds(90));
                started.Add(runs.EnumerateArray().First().GetProperty("startedAt").GetDateTimeOffset());
            }
        }

        Assert.Contains(started, at => at > killedAt);

        // More catch-up ticks on both survivors: nothing is owed, so nothing runs twice.
        await Task.Delay(TimeSpan.FromSeconds(12));
        foreach (var tenant in tenants)
        {
            foreach (var channel in new[] { "fb-100000000000000", "fb-100000000000001" })
            {
                var runs = (await ReadJsonAsync(await Send(survivors[1].Http, HttpMethod.Get, $"/api/channels/{channel}/sync-runs", tenant))).GetProperty("items");
                var scheduled = runs.EnumerateArray().Where(r => r.GetProperty("trigger").GetString() == "scheduled").ToList();
                Assert.Single(scheduled);
            }
        }
    }

    private async Task<long> ActiveSilosAsync()
    {
        await using var connection = new NpgsqlConnection(_cluster.ConnectionStringFor("orleans_cluster"));
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM OrleansMembershipTable WHERE DeploymentId = 'three-silos' AND Status = 3", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private static Task<(string Id, string Key)> CreateTenantAsync(HttpClient http, string id) => ClusterApi.CreateTenantAsync(http, id, OperatorKey);

    private static Task<HttpResponseMessage> Send(HttpClient http, HttpMethod method, string path, (string Id, string Key) tenant, object? body = null) =>
        ClusterApi.Send(http, method, path, tenant, body);

    private static Task<JsonElement> ReadJsonAsync(HttpResponseMessage response) => ClusterApi.ReadJsonAsync(response);

    private Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout) =>
        Eventually.UntilAsync(condition, timeout, () => "Silo output:\n" + _cluster.Tails());
}
