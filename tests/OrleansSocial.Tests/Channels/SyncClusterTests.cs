using System.Text.Json;
using OrleansSocial.Channels;
using OrleansSocial.Grains.Channels.Sync;
using OrleansSocial.GraphEmulator.Graph;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Naming;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Channels;

/// <summary>
/// The sync engine on two silos: reminders drive it on a manual calendar, a killed silo's run is
/// finished elsewhere, and the rate budget parks runs instead of letting them be throttled.
/// </summary>
[Collection(SyncClusterCollection.Name)]
public sealed class SyncClusterTests(SyncClusterFixture fixture)
{
    // Generous: reminder ranges move while silos join and leave, and CI runs other suites beside this one.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    private IDocumentDatabase Database(string tenantId) => fixture.Store.GetDatabase(StorageNames.TenantDatabase(tenantId));

    private async Task<List<JsonElement>> RunsAsync(string tenantId, string channelId)
    {
        var page = await Database(tenantId).GetCollection(OrleansSocial.ReadModels.Collections.SyncRuns)
            .QueryAsync(new DocumentQuery { Filters = [FieldFilter.Eq("channelId", channelId)], Limit = 100 }, CancellationToken.None);
        return page.Items.Select(i => i.Body).ToList();
    }

    private static string Status(JsonElement run) => run.GetProperty("run").GetProperty("status").GetString()!;

    private async Task<List<JsonElement>> WaitForRunsAsync(string tenantId, string channelId, Func<List<JsonElement>, bool> done)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            var runs = await RunsAsync(tenantId, channelId);
            if (done(runs))
            {
                return runs;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"runs of {tenantId}/{channelId} never got there: {string.Join(" | ", (await RunsAsync(tenantId, channelId)).Select(r => r.GetProperty("run").ToString()))}");
    }

    private static int Finished(List<JsonElement> runs, string trigger) =>
        runs.Count(r => r.GetProperty("run").GetProperty("trigger").GetString() == trigger && Status(r) is "succeeded" or "failed");

    [Fact]
    public async Task Two_silos_run_each_due_sync_exactly_once_across_a_leap_day_and_a_month_end()
    {
        var clock = SyncClusterFixture.Clock;
        clock.Set(new DateTimeOffset(2028, 2, 28, 12, 0, 0, TimeSpan.Zero)); // a Monday in a leap year
        var tenants = new List<(string Tenant, IReadOnlyList<string> Channels)>();
        for (var i = 0; i < 3; i++)
        {
            tenants.Add(await fixture.TenantWithChannelsAsync());
        }

        var channels = tenants.SelectMany(t => t.Channels.Select(c => (t.Tenant, Channel: c))).ToList();

        // A new channel owes every kind: its first tick brings daily, weekly and monthly in one run.
        foreach (var (tenant, channel) in channels)
        {
            var first = await WaitForRunsAsync(tenant, channel, runs => Finished(runs, "scheduled") == 1);
            Assert.Equal(["daily", "weekly", "monthly"], first.Single().GetProperty("run").GetProperty("kinds").EnumerateArray().Select(k => k.GetString()));
        }

        // Tuesday 29 February: only the daily sync is owed.
        clock.Set(new DateTimeOffset(2028, 2, 29, 12, 0, 0, TimeSpan.Zero));
        foreach (var (tenant, channel) in channels)
        {
            await WaitForRunsAsync(tenant, channel, runs => Finished(runs, "scheduled") == 2);
        }

        // Wednesday 1 March: daily and monthly (a calendar month, not 30 days after the first run).
        clock.Set(new DateTimeOffset(2028, 3, 1, 12, 0, 0, TimeSpan.Zero));
        foreach (var (tenant, channel) in channels)
        {
            await WaitForRunsAsync(tenant, channel, runs => Finished(runs, "scheduled") == 3);
        }

        // Several more ticks on both silos: nothing more is owed, so nothing more runs.
        await Task.Delay(TimeSpan.FromSeconds(4));
        foreach (var (tenant, channel) in channels)
        {
            var runs = (await RunsAsync(tenant, channel)).Select(r => r.GetProperty("run")).OrderBy(r => r.GetProperty("startedAt").GetString()).ToList();
            Assert.Equal(3, runs.Count);
            Assert.Equal(runs.Count, runs.Select(r => r.GetProperty("syncRunId").GetString()).Distinct().Count());
            Assert.Equal(["daily"], runs[1].GetProperty("kinds").EnumerateArray().Select(k => k.GetString()));
            Assert.Equal(["daily", "monthly"], runs[2].GetProperty("kinds").EnumerateArray().Select(k => k.GetString()));
            Assert.All(runs, r => Assert.Equal("succeeded", r.GetProperty("status").GetString()));

            var view = await fixture.Channel(tenant, channel).Get();
            Assert.NotNull(view!.TokenCheckedAt); // scheduled daily runs check the token with debug_token
            var weekly = view!.Sync.Single(s => s.Kind == SyncKinds.Weekly);
            Assert.Equal(new DateTime(2028, 3, 6), weekly.NextSyncAt!.Value.UtcDateTime.Date); // next Monday
            Assert.Equal(new DateTime(2028, 4, 1), view.Sync.Single(s => s.Kind == SyncKinds.Monthly).NextSyncAt!.Value.UtcDateTime.Date);
        }
    }

    [Fact]
    public async Task A_silo_killed_mid_run_leaves_no_gap_and_no_duplicate_once_the_run_finishes_elsewhere()
    {
        SyncClusterFixture.Clock.Set(DateTimeOffset.UtcNow);
        // The undisturbed comparison syncs the same kinds on demand (or is handed its first scheduled run if that began first).
        var reference = await fixture.TenantWithChannelsAsync();
        foreach (var undisturbed in reference.Channels)
        {
            var started = await fixture.Channel(reference.TenantId, undisturbed).RequestSync(new SyncRequest(SyncKinds.All));
            await WaitForRunsAsync(reference.TenantId, undisturbed, runs => runs.Any(r => r.GetProperty("run").GetProperty("syncRunId").GetString() == started.SyncRunId && Status(r) == "succeeded"));
        }

        // The resume comes from the schedule reminder's next tick on the surviving silo.
        var (tenant, channel, run) = await LoseTheSiloOfARunningSyncAsync(silo => fixture.Cluster.KillSiloAsync(silo), phasesDone: 2);

        Assert.True(Status(run) == "succeeded", run.ToString());
        Assert.Equal(run.GetProperty("phases").GetArrayLength(), run.GetProperty("phasesDone").GetArrayLength());
        // Same Page, same data: the interrupted tenant holds exactly what the undisturbed one holds.
        foreach (var collection in new[] { OrleansSocial.ReadModels.Collections.Posts, OrleansSocial.ReadModels.Collections.Comments, OrleansSocial.ReadModels.Collections.Insights })
        {
            Assert.Equal(await IdsAsync(reference.TenantId, channel, collection), await IdsAsync(tenant, channel, collection));
        }

        Assert.NotEmpty(await IdsAsync(tenant, channel, OrleansSocial.ReadModels.Collections.Comments));
    }

    [Fact]
    public async Task A_silo_stopped_gracefully_hands_its_running_sync_to_another_silo()
    {
        SyncClusterFixture.Clock.Set(DateTimeOffset.UtcNow);

        // Nobody calls the channel: the resume reminder its deactivation registered brings the run back on the other silo.
        var (_, _, run) = await LoseTheSiloOfARunningSyncAsync(silo => fixture.Cluster.StopSiloAsync(silo), phasesDone: 1);

        Assert.True(Status(run) == "succeeded", run.ToString());
        Assert.Equal(run.GetProperty("phases").GetArrayLength(), run.GetProperty("phasesDone").GetArrayLength());
    }

    /// <summary>
    /// Slows every Graph call so a new channel's first sync takes seconds, waits until it has done
    /// <paramref name="phasesDone"/> phases on a secondary silo, loses that silo, and returns the run once it has ended.
    /// </summary>
    private async Task<(string Tenant, string Channel, JsonElement Run)> LoseTheSiloOfARunningSyncAsync(Func<Orleans.TestingHost.SiloHandle, Task> lose, int phasesDone)
    {
        // Slow enough that the run is still going when the test looks, even on a loaded machine.
        fixture.Emulator.State.Faults.Add(new Fault { LatencyMs = 1500 });
        try
        {
            var (tenant, channel, silo) = await ChannelOnASecondarySiloAsync();
            await WaitForRunsAsync(tenant, channel, runs => runs.Any(r => r.GetProperty("phasesDone").GetArrayLength() >= phasesDone && Status(r) == "running"));

            await lose(silo);
            fixture.Emulator.State.Faults.Clear();

            var run = Assert.Single(await WaitForRunsAsync(tenant, channel, runs => Finished(runs, "scheduled") == 1));
            return (tenant, channel, run);
        }
        finally
        {
            fixture.Emulator.State.Faults.Clear();
            if (fixture.Cluster.SecondarySilos.Count == 0)
            {
                await fixture.Cluster.StartAdditionalSiloAsync();
            }
        }
    }

    [Fact]
    public async Task A_throttled_bucket_parks_the_run_with_no_calls_until_its_regain_time_then_it_completes()
    {
        var clock = SyncClusterFixture.Clock;
        clock.Set(DateTimeOffset.UtcNow);
        // User 1's Pages: no other test's channels spend (or are throttled on) their budget.
        var (tenant, channels) = await fixture.TenantWithChannelsAsync(user: 1);
        var channel = channels[0];
        var pageId = channel["fb-".Length..];
        await WaitForRunsAsync(tenant, channel, runs => Finished(runs, "scheduled") == 1);

        // Somebody else spends the Page's whole budget behind our back: the next call is throttled.
        var buckets = fixture.Emulator.State.Buckets;
        var limit = buckets.PageCallsPerDay;
        buckets.Reset();
        buckets.PageCallsPerDay = 2;
        try
        {
            var token = await PageTokenAsync(pageId, user: 1);
            await fixture.Graph.GetPageAsync(pageId, token);
            await fixture.Graph.GetPageAsync(pageId, token);

            var started = await fixture.Channel(tenant, channel).RequestSync(new SyncRequest([SyncKinds.Daily]));
            var parked = await WaitForRunsAsync(tenant, channel, runs => runs.Any(r => r.GetProperty("run").GetProperty("syncRunId").GetString() == started.SyncRunId && Status(r) == "waiting"));
            Assert.Equal(1, buckets.ThrottledCallsFor("pages", pageId));

            // While paused: no call at all, and asking again hands back the parked run.
            var calls = fixture.Emulator.State.Log.CountFor(pageId);
            await Task.Delay(TimeSpan.FromSeconds(3));
            var again = await fixture.Channel(tenant, channel).RequestSync(new SyncRequest([SyncKinds.Daily]));
            Assert.Equal(started.SyncRunId, again.SyncRunId);
            Assert.Equal(SyncRunStatus.Waiting, again.Status);
            Assert.Equal(calls, fixture.Emulator.State.Log.CountFor(pageId));
            Assert.Equal(1, buckets.ThrottledCallsFor("pages", pageId));

            // The regain time (a day: Page budgets roll over 24 hours) passes: the run resumes by itself and completes.
            buckets.PageCallsPerDay = limit;
            buckets.Reset();
            clock.Advance(TimeSpan.FromHours(25));
            var done = await WaitForRunsAsync(tenant, channel, runs => runs.Any(r => r.GetProperty("run").GetProperty("syncRunId").GetString() == started.SyncRunId && Status(r) == "succeeded"));
            Assert.Equal(0, buckets.ThrottledCallsFor("pages", pageId));
        }
        finally
        {
            buckets.PageCallsPerDay = limit;
            buckets.Reset();
        }
    }

    [Fact]
    public async Task The_budget_stops_backfill_first_then_scheduled_work_and_pauses_everyone_when_throttled()
    {
        var clock = SyncClusterFixture.Clock;
        clock.Set(DateTimeOffset.UtcNow);
        var bucket = fixture.Grains.GetGrain<OrleansSocial.Budget.IRateBudgetGrain>("page:budget-" + Guid.NewGuid().ToString("N"));
        async Task<bool> Granted(OrleansSocial.Budget.BudgetPriority priority) => (await bucket.Request(priority, 1, "t-budget")).Granted;

        await bucket.Report(new(79, TimeSpan.Zero, false));
        await bucket.Report(new(80, TimeSpan.Zero, false)); // one call is 1%
        Assert.False(await Granted(OrleansSocial.Budget.BudgetPriority.Backfill));
        Assert.True(await Granted(OrleansSocial.Budget.BudgetPriority.Scheduled));

        await bucket.Report(new(95, TimeSpan.Zero, false));
        Assert.False(await Granted(OrleansSocial.Budget.BudgetPriority.Scheduled));
        Assert.True(await Granted(OrleansSocial.Budget.BudgetPriority.Manual));

        await bucket.Report(new(100, TimeSpan.FromMinutes(30), true));
        var paused = await bucket.Request(OrleansSocial.Budget.BudgetPriority.Manual, 1, "t-budget");
        Assert.False(paused.Granted);
        Assert.Equal(clock.GetUtcNow() + TimeSpan.FromMinutes(30), paused.RetryAt);

        clock.Advance(TimeSpan.FromMinutes(31));
        Assert.True(await Granted(OrleansSocial.Budget.BudgetPriority.Backfill));
    }

    private async Task<string> PageTokenAsync(string pageId, int user)
    {
        var longLived = (await fixture.Graph.ExchangeForLongLivedTokenAsync(fixture.UserToken(user))).Value;
        await foreach (var page in fixture.Graph.GetAccountsAsync(longLived.AccessToken))
        {
            if (page.Items.FirstOrDefault(a => a.Id == pageId) is { } account)
            {
                return account.AccessToken!;
            }
        }

        throw new InvalidOperationException($"the demo user does not manage {pageId}");
    }

    private async Task<(string Tenant, string Channel, Orleans.TestingHost.SiloHandle Silo)> ChannelOnASecondarySiloAsync()
    {
        var management = fixture.Grains.GetGrain<IManagementGrain>(0);
        for (var attempt = 0; attempt < 12; attempt++)
        {
            var (tenant, channels) = await fixture.TenantWithChannelsAsync();
            foreach (var channel in channels)
            {
                var address = await management.GetActivationAddress(fixture.Channel(tenant, channel));
                if (fixture.Cluster.SecondarySilos.FirstOrDefault(s => s.SiloAddress.Equals(address)) is { } silo)
                {
                    return (tenant, channel, silo);
                }
            }
        }

        throw new InvalidOperationException("no channel grain landed on a secondary silo in 12 tenants");
    }

    private async Task<List<string>> IdsAsync(string tenantId, string channelId, string collection)
    {
        var ids = new List<string>();
        await foreach (var document in Database(tenantId).GetCollection(collection).ReadAllAsync())
        {
            if (document.Body.GetProperty("channelId").GetString() == channelId)
            {
                ids.Add(document.Id.Replace(channelId, "", StringComparison.Ordinal));
            }
        }

        return ids.Order(StringComparer.Ordinal).ToList();
    }
}
