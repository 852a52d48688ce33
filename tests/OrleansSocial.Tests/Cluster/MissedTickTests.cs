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
/// minute of the takeover, once. A run the killed silo was in the middle of goes on the same way,
/// however long before the death it started.
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

    private SiloProcess StartSilo(int index, string? catchUpWindow = null)
    {
        var settings = _cluster.Settings(OperatorKey, "missed-ticks", new Dictionary<string, string>
        {
            // First syncs come due within 20 s of connecting: most of them while the killed silo is
            // dead but not yet declared dead.
            ["Sync:InitialSyncWindow"] = "00:00:20",
        });
        if (catchUpWindow is not null)
        {
            settings["Reminders:CatchUpWindow"] = catchUpWindow;
        }

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

    [Fact]
    public async Task A_run_open_on_a_killed_silo_goes_on_on_a_survivor_within_a_minute_of_the_takeover_once()
    {
        // Re-delivering missed schedule ticks reaches only ticks due shortly before the death; a
        // manual run has no tick at all, and the catch-up here looks back one second. Only the
        // run's own resume reminder can bring it back before the schedule's next tick, an hour on.
        var silos = new[] { StartSilo(0, catchUpWindow: "00:00:01"), StartSilo(1, catchUpWindow: "00:00:01") };
        await Task.WhenAll(silos.Select(s => s.WaitReadyAsync(TimeSpan.FromSeconds(90))));
        var tenant = await ClusterApi.CreateTenantAsync(silos[0].Http, $"mr-{Guid.NewGuid():N}"[..16], OperatorKey);
        var connect = await ClusterApi.Send(silos[0].Http, HttpMethod.Post, "/api/channels/facebook", tenant, new { userAccessToken = TokenStore.DemoUserToken });
        Assert.True(connect.StatusCode == HttpStatusCode.Created, await connect.Content.ReadAsStringAsync());
        await EventuallyAsync(async () => (await ScheduledRunsAsync(silos[0], tenant)).Any(r => r.GetProperty("status").GetString() == "succeeded"), TimeSpan.FromSeconds(90));

        // Graph holds the run's first read; the silo running it is killed while it waits.
        _cluster.Emulator.State.Faults.Add(new GraphEmulator.Graph.Fault { ObjectId = Channel["fb-".Length..], LatencyMs = 20_000, Remaining = 1 });
        var started = await ClusterApi.ReadJsonAsync(await ClusterApi.Send(silos[0].Http, HttpMethod.Post, $"/api/channels/{Channel}/sync", tenant));
        var runId = started.GetProperty("syncRunId").GetString()!;
        var starts = $"Manual sync {runId} of channel {Channel} of tenant {tenant.Id} starts";
        await EventuallyAsync(() => Task.FromResult(silos.Any(s => s.Output.Contains(starts, StringComparison.Ordinal))), TimeSpan.FromSeconds(10));
        var runner = silos.Single(s => s.Output.Contains(starts, StringComparison.Ordinal));
        var survivor = silos.Single(s => s != runner);
        runner.Kill();

        // Only the tenant is asked (never the channel, whose activation would continue the run itself).
        await EventuallyAsync(async () => (await ClusterApi.Send(survivor.Http, HttpMethod.Get, "/api/tenant", tenant)).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(90));
        var tookOver = DateTimeOffset.UtcNow;
        var resumes = $"Run {runId} of channel {Channel} of tenant {tenant.Id} resumes";
        Assert.True(await survivor.WaitForOutputAsync(resumes, TimeSpan.FromSeconds(90)), "Silo output:\n" + _cluster.Tails(20_000));
        Assert.True(DateTimeOffset.UtcNow <= tookOver.AddSeconds(75), $"resumed {DateTimeOffset.UtcNow:O}, takeover {tookOver:O}");

        // Once: the same run, finished, and no other manual run.
        await EventuallyAsync(async () => (await ManualRunsAsync(survivor, tenant)).Any(r => r.GetProperty("status").GetString() == "succeeded"), TimeSpan.FromSeconds(60));
        var run = Assert.Single(await ManualRunsAsync(survivor, tenant));
        Assert.Equal(runId, run.GetProperty("syncRunId").GetString());
    }

    private static async Task<List<JsonElement>> ManualRunsAsync(SiloProcess silo, (string Id, string Key) tenant) =>
        [.. (await RunsAsync(silo, tenant)).Where(r => r.GetProperty("trigger").GetString() == "manual")];

    private static async Task<List<JsonElement>> ScheduledRunsAsync(SiloProcess silo, (string Id, string Key) tenant) =>
        [.. (await RunsAsync(silo, tenant)).Where(r => r.GetProperty("trigger").GetString() == "scheduled")];

    private static async Task<List<JsonElement>> RunsAsync(SiloProcess silo, (string Id, string Key) tenant)
    {
        var response = await ClusterApi.Send(silo.Http, HttpMethod.Get, $"/api/channels/{Channel}/sync-runs", tenant);
        if (!response.IsSuccessStatusCode)
        {
            return [];
        }

        return [.. (await ClusterApi.ReadJsonAsync(response)).GetProperty("items").EnumerateArray()];
    }

    private Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout) =>
        Eventually.UntilAsync(condition, timeout, () => "Silo output:\n" + _cluster.Tails(20_000));

    [GeneratedRegex(@"Missed reminder ticks after silo \S+ was declared dead: \d+ delivered again of \d+ reminders")]
    private static partial Regex CaughtUp();
}
