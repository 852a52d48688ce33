using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit.Abstractions;
using OrleansSocial.GraphEmulator.World;

using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Cluster;

/// <summary>
/// Ticks that fall into a failover window: two silo processes on PostgreSQL with the shipped
/// membership and reminder settings; twelve tenants connect a channel each through the silo that is
/// then SIGKILLed. Reminder ticks due while it was dead but not yet declared dead are skipped by
/// Orleans (the schedule's next tick is an hour later); the survivor delivers them again once it
/// has taken over, so every channel's first sync, and every post due in the gap, still runs within a
/// minute of the takeover, once.
/// </summary>
public sealed partial class MissedTickTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string OperatorKey = "missed-tick-operator-key-0123456789abcdef";
    private const string Channel = "fb-100000000000000";
    private ClusterEnvironment _cluster = null!;

    public async Task InitializeAsync() => _cluster = await ClusterEnvironment.StartAsync("orleans-social-missed-ticks", o =>
    {
        o.Users = 1;
        o.PagesPerUser = 1;
    });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private SiloProcess StartSilo(int index)
    {
        var settings = _cluster.Settings(OperatorKey, "missed-ticks", new Dictionary<string, string>
        {
            // First syncs come due within 20 s of connecting: most of them while the killed silo is
            // dead but not yet declared dead.
            ["Sync:InitialSyncWindow"] = "00:00:20",
        });

        // What production runs with: Orleans' own failure detection and a one-minute minimum reminder period.
        foreach (var key in settings.Keys.Where(k => k.StartsWith("Orleans:Membership:", StringComparison.Ordinal) || k == "Orleans:MinimumReminderPeriod").ToList())
        {
            settings.Remove(key);
        }

        return _cluster.StartSilo(index, settings, logLevels: true);
    }

    [Fact]
    public async Task Ticks_due_while_a_killed_silo_was_not_yet_declared_dead_run_within_a_minute_of_the_takeover_once()
    {
        var survivor = StartSilo(0);
        var victim = StartSilo(1);
        await Task.WhenAll(survivor.WaitReadyAsync(TimeSpan.FromSeconds(90)), victim.WaitReadyAsync(TimeSpan.FromSeconds(90)));
        var tenants = new List<(string Id, string Key)>();
        for (var i = 0; i < 12; i++)
        {
            var tenant = await ClusterApi.CreateTenantAsync(victim.Http, $"mt{i:D2}-{Guid.NewGuid():N}"[..16], OperatorKey);
            var connect = await ClusterApi.Send(victim.Http, HttpMethod.Post, "/api/channels/facebook", tenant, new { userAccessToken = TokenStore.DemoUserToken });
            Assert.True(connect.StatusCode == HttpStatusCode.Created, await connect.Content.ReadAsStringAsync());
            tenants.Add(tenant);
        }

        victim.Kill();
        var killed = Stopwatch.StartNew();

        // The takeover: every tenant answers through the survivor.
        foreach (var tenant in tenants)
        {
            await EventuallyAsync(async () => (await ClusterApi.Send(survivor.Http, HttpMethod.Get, "/api/tenant", tenant)).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(90));
        }

        var tookOver = DateTimeOffset.UtcNow;
        output.WriteLine($"every tenant answered through the survivor {killed.Elapsed.TotalSeconds:F1} s after the SIGKILL");

        // Every channel's first sync, due within 20 s of connecting, has run within a minute of the
        // takeover (without the catch-up some wait for the schedule's next tick, an hour later).
        foreach (var tenant in tenants)
        {
            await EventuallyAsync(async () => (await ScheduledRunsAsync(survivor, tenant)).Any(r => r.GetProperty("status").GetString() == "succeeded"), tookOver.AddSeconds(90) - DateTimeOffset.UtcNow);
            var run = (await ScheduledRunsAsync(survivor, tenant)).Single();
            Assert.True(run.GetProperty("startedAt").GetDateTimeOffset() <= tookOver.AddSeconds(60), $"{tenant.Id}: started {run.GetProperty("startedAt")}, takeover {tookOver:O}");
        }

        var caughtUp = CaughtUp().Match(survivor.Output);
        Assert.True(caughtUp.Success, survivor.Output);
        output.WriteLine(caughtUp.Value);

        // Once: the ticks delivered again found nothing more owed, and neither do later ones.
        foreach (var tenant in tenants)
        {
            Assert.Single(await ScheduledRunsAsync(survivor, tenant));
        }
    }

    [Fact]
    public async Task Posts_due_while_a_killed_silo_was_not_yet_declared_dead_are_published_within_a_minute_of_the_takeover_once()
    {
        var survivor = StartSilo(0);
        var victim = StartSilo(1);
        await Task.WhenAll(survivor.WaitReadyAsync(TimeSpan.FromSeconds(90)), victim.WaitReadyAsync(TimeSpan.FromSeconds(90)));
        var tenant = await ClusterApi.CreateTenantAsync(victim.Http, $"mp-{Guid.NewGuid():N}"[..16], OperatorKey);
        var connect = await ClusterApi.Send(victim.Http, HttpMethod.Post, "/api/channels/facebook", tenant, new { userAccessToken = TokenStore.DemoUserToken });
        Assert.True(connect.StatusCode == HttpStatusCode.Created, await connect.Content.ReadAsStringAsync());

        // Scheduled through the silo about to die, due one second after it dies: inside the time
        // membership needs to declare it dead.
        var due = DateTimeOffset.UtcNow.AddSeconds(12);
        var texts = Enumerable.Range(0, 8).Select(i => $"Due in the gap {i} {Guid.NewGuid():N}").ToList();
        var posts = new List<string>();
        foreach (var text in texts)
        {
            var created = await ClusterApi.ReadJsonAsync(await ClusterApi.Send(victim.Http, HttpMethod.Post, "/api/posts", tenant, new { channelIds = new[] { Channel }, text, scheduledAt = due }));
            posts.Add(created.GetProperty("postId").GetString()!);
        }

        await Eventually.UntilAsync(() => Task.FromResult(DateTimeOffset.UtcNow >= due.AddSeconds(-1)), TimeSpan.FromSeconds(30));
        victim.Kill();
        await EventuallyAsync(async () => (await ClusterApi.Send(survivor.Http, HttpMethod.Get, "/api/tenant", tenant)).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(90));
        var tookOver = DateTimeOffset.UtcNow;

        foreach (var postId in posts)
        {
            JsonElement publication = default;
            await EventuallyAsync(async () =>
            {
                var response = await ClusterApi.Send(survivor.Http, HttpMethod.Get, $"/api/posts/{postId}", tenant);
                publication = response.IsSuccessStatusCode ? (await ClusterApi.ReadJsonAsync(response)).GetProperty("publications")[0] : default;
                return publication.ValueKind == JsonValueKind.Object && publication.GetProperty("status").GetString() == "published";
            }, tookOver.AddSeconds(90) - DateTimeOffset.UtcNow);
            Assert.True(publication.GetProperty("publishedAt").GetDateTimeOffset() <= tookOver.AddSeconds(60), $"{postId}: published {publication.GetProperty("publishedAt")}, takeover {tookOver:O}");
        }

        var landed = _cluster.Emulator.State.Publications.Where(p => texts.Contains(p.Message)).ToList();
        Assert.Equal(texts.Count, landed.Count);
        Assert.Equal(texts.Count, landed.Select(p => p.Message).Distinct().Count());
    }

    private static async Task<List<JsonElement>> ScheduledRunsAsync(SiloProcess silo, (string Id, string Key) tenant)
    {
        var response = await ClusterApi.Send(silo.Http, HttpMethod.Get, $"/api/channels/{Channel}/sync-runs", tenant);
        if (!response.IsSuccessStatusCode)
        {
            return [];
        }

        var runs = (await ClusterApi.ReadJsonAsync(response)).GetProperty("items");
        return [.. runs.EnumerateArray().Where(r => r.GetProperty("trigger").GetString() == "scheduled")];
    }

    private Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout) =>
        Eventually.UntilAsync(condition, timeout, () => "Silo output:\n" + _cluster.Tails(20_000));

    [GeneratedRegex(@"Missed reminder ticks after silo \S+ was declared dead: \d+ delivered again of \d+ reminders")]
    private static partial Regex CaughtUp();
}
