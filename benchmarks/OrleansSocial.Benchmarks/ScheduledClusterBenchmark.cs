using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using OrleansSocial.Storage.Naming;
using OrleansSocial.Testing;

namespace OrleansSocial.Benchmarks;

/// <summary>
/// The path production runs every night, on three silo processes in cluster mode on PostgreSQL:
/// N tenants × M channels whose schedule reminders come due within a compressed window
/// (<c>Sync:InitialSyncWindow</c>: a new channel's first tick is staggered over it, the same
/// reminder and tick handler as the daily one), driven only by reminders — no sync is requested.
/// Reports wall time until every channel has synced, syncs per silo, reminder-table reads and
/// writes per channel, the peak Graph call rate, and with <c>--kill</c> one silo SIGKILLed halfway
/// through the window: every channel must still have synced exactly once.
/// </summary>
internal static class ScheduledClusterBenchmark
{
    private const int Silos = 3;

    public static async Task RunAsync(BenchmarkOptions options, bool kill)
    {
        var window = TimeSpan.FromSeconds(options.Seconds);
        var channels = options.Tenants * options.Channels;
        Console.WriteLine($"scheduled path on {Silos} silos: {options.Tenants} tenants x {options.Channels} channels, first ticks staggered over {window.TotalSeconds:F0} s{(kill ? ", one silo SIGKILLed halfway" : "")}");
        var poolsPerSilo = options.Tenants + 16;
        await using var cluster = await BenchCluster.StartAsync("bench-scheduled", (Silos * poolsPerSilo * 2) + 100, options.Tenants, options.Channels);
        var settings = cluster.Settings(new Dictionary<string, string>
        {
            ["Sync:InitialSyncWindow"] = window.ToString("c", CultureInfo.InvariantCulture),
            ["Storage:MaxOpenDatabases"] = poolsPerSilo.ToString(CultureInfo.InvariantCulture),
            ["Storage:MaxPoolSizePerDatabase"] = "2",
            // A first sync reads this much history; one day makes it the size of a nightly daily sync.
            ["Sync:FirstSyncDays"] = "1",
        });
        var silos = Enumerable.Range(0, Silos).Select(_ => cluster.StartSilo(settings)).ToList();
        var syncsBySilo = new ConcurrentDictionary<int, int>();
        // Orleans' self-monitoring: a silo whose own health is degraded (thread pool late, probes
        // missing) stretches its probe timeouts, which is what slows detection under load.
        var degradedBySilo = new ConcurrentDictionary<int, int>();
        for (var i = 0; i < silos.Count; i++)
        {
            var index = i;
            silos[i].Line += line =>
            {
                if (line.Contains("Scheduled sync (", StringComparison.Ordinal))
                {
                    syncsBySilo.AddOrUpdate(index, 1, (_, n) => n + 1);
                }
                else if (line.Contains("local health is degraded", StringComparison.Ordinal))
                {
                    degradedBySilo.AddOrUpdate(index, 1, (_, n) => n + 1);
                }
            };
        }

        await Task.WhenAll(silos.Select(s => s.WaitReadyAsync(TimeSpan.FromMinutes(2))));
        var world = JsonDocument.Parse(await new HttpClient { BaseAddress = cluster.Emulator.BaseUrl }.GetStringAsync($"/__emulator/world?users={options.Tenants}")).RootElement;
        var userTokens = world.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("shortLivedToken").GetString()!).ToList();

        var remindersBefore = await ReminderTableAsync(cluster);
        using var graph = GraphRate.Watch(cluster.Emulator.State.Log);
        var watch = Stopwatch.StartNew();
        // Connecting a user's hundred Pages is one request that writes a hundred channels: longer than a silo client's timeout.
        var clients = silos.Select(s => new HttpClient { BaseAddress = s.Http.BaseAddress, Timeout = TimeSpan.FromMinutes(5) }).ToList();
        var tenants = await BenchApi.ForEachAsync(Enumerable.Range(0, options.Tenants).ToList(), options.Concurrency, async i =>
        {
            var http = clients[i % Silos];
            var tenant = await BenchApi.CreateTenantAsync(http, $"sc-t{i:D5}");
            using var connect = BenchApi.TenantRequest(HttpMethod.Post, "/api/channels/facebook", tenant, new { userAccessToken = userTokens[i] });
            using var connected = await http.SendAsync(connect);
            connected.EnsureSuccessStatusCode();
            return tenant;
        });
        var connected = watch.Elapsed;
        Console.WriteLine($"setup: {options.Tenants} tenants (PostgreSQL databases), {channels} channels connected in {connected.TotalSeconds:F1} s; their first ticks fall within {window.TotalSeconds:F0} s of each connection");

        SiloProcess? killed = null;
        if (kill)
        {
            while (watch.Elapsed < connected + (window / 2))
            {
                await Task.Delay(100);
            }

            killed = silos[^1];
            var degradedBefore = degradedBySilo.ToDictionary();
            killed.Kill();
            var killedAt = DateTime.UtcNow;
            Console.WriteLine($"killed silo {Silos} at {watch.Elapsed.TotalSeconds:F1} s");
            var victim = killed;
            _ = Task.Run(async () =>
            {
                while (!await cluster.IsDeclaredDeadAsync(victim.SiloPort))
                {
                    await Task.Delay(100);
                }

                Console.WriteLine($"  killed silo declared dead {(DateTime.UtcNow - killedAt).TotalSeconds:F1} s after the SIGKILL; votes: {await cluster.VotesAgainstAsync(victim.SiloPort)} (killed at {killedAt:HH:mm:ss.fff} UTC)");
                Console.WriteLine($"  self-monitoring 'local health is degraded' lines per survivor from the kill until then: {string.Join(", ", Enumerable.Range(0, Silos - 1).Select(i => $"silo {i + 1}: {degradedBySilo.GetValueOrDefault(i) - degradedBefore.GetValueOrDefault(i)}"))}");
            });
        }

        var (synced, scheduledRuns, firstRuns) = await WaitForFirstSyncsAsync(cluster, tenants.Select(t => t.Id).ToList(), options.Channels, TimeSpan.FromMinutes(30) + window);
        var wall = watch.Elapsed;
        var remindersAfter = await ReminderTableAsync(cluster);
        var graphCalls = graph.Total;

        Console.WriteLine(synced == channels
            ? $"all {channels} channels synced by reminders {wall.TotalSeconds:F1} s after the first connection ({(wall - connected).TotalSeconds:F1} s after the last)"
            : $"NOT ALL SYNCED: {synced} of {channels} channels had a succeeded scheduled run when the wait ended, {wall.TotalSeconds:F1} s after the first connection");
        // A new channel owes every kind, so its first run holds the weekly one; a run of a later due
        // (the benchmark crossing a day boundary plus the channel's stagger offset) owes daily alone.
        Console.WriteLine($"  first syncs per channel: {firstRuns / (double)channels:F3} ({firstRuns} runs; exactly once means {channels}); later scheduled runs (a new day's due passed during the benchmark): {scheduledRuns - firstRuns}");
        Console.WriteLine($"  syncs started per silo (from their logs): {string.Join(", ", Enumerable.Range(0, Silos).Select(i => $"silo {i + 1}: {syncsBySilo.GetValueOrDefault(i)}"))}");
        Console.WriteLine($"  'local health is degraded' lines per silo over the run: {string.Join(", ", Enumerable.Range(0, Silos).Select(i => $"silo {i + 1}: {degradedBySilo.GetValueOrDefault(i)}"))}");
        var delta = remindersAfter - remindersBefore;
        Console.WriteLine($"  reminder table per channel: {delta.Reads / (double)channels:F2} row reads, {delta.Inserts / (double)channels:F2} inserts, {delta.Updates / (double)channels:F2} updates, {delta.Deletes / (double)channels:F2} deletes ({delta.Scans} scans)");
        Console.WriteLine($"  Graph: {graphCalls} operations, {graphCalls / (double)channels:F2} per channel; peak {graph.PeakPerSecond} operations/s");
        var (suspicions, falselyDead) = await cluster.FalseSuspicionsAsync(killed is null ? [] : [killed]);
        Console.WriteLine($"  suspicions of silos nobody killed: {suspicions}; declared dead: {falselyDead}");
    }

    /// <summary>Polls every tenant database (the SQL engines keep a collection as table <c>doc_{name}</c>) until each channel has a succeeded scheduled run; returns those, the count of all scheduled runs and of first ones.</summary>
    private static async Task<(int Synced, int Runs, int FirstRuns)> WaitForFirstSyncsAsync(BenchCluster cluster, List<string> tenants, int channelsPerTenant, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var nextProgress = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            var counts = await BenchApi.ForEachAsync(tenants, 8, async tenant =>
            {
                await using var connection = new NpgsqlConnection(cluster.Postgres.ConnectionStringFor(StorageNames.TenantDatabase(tenant)));
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand(
                    $"""
                    SELECT count(DISTINCT body->>'channelId') FILTER (WHERE body->'run'->>'status' = 'succeeded'), count(*),
                           count(*) FILTER (WHERE body->'run'->>'status' = 'waiting'),
                           count(*) FILTER (WHERE body->'run'->'kinds' ? 'weekly')
                    FROM doc_{StorageNames.Collection(ReadModels.Collections.SyncRuns)} WHERE body->'run'->>'trigger' = 'scheduled'
                    """, connection);
                await using var reader = await command.ExecuteReaderAsync();
                await reader.ReadAsync();
                return (Synced: (int)reader.GetInt64(0), Runs: (int)reader.GetInt64(1), Parked: (int)reader.GetInt64(2), First: (int)reader.GetInt64(3));
            });
            var synced = counts.Sum(c => c.Synced);
            if (DateTime.UtcNow >= nextProgress)
            {
                // Parked runs wait for the rate budget: the figure that showed the fair share misjudging a bucket.
                Console.WriteLine($"  {DateTime.UtcNow:HH:mm:ss}: {synced} channels synced, {counts.Sum(c => c.Parked)} scheduled runs parked on the rate budget");
                nextProgress = DateTime.UtcNow.AddMinutes(1);
            }

            if (synced == tenants.Count * channelsPerTenant || DateTime.UtcNow > deadline)
            {
                return (synced, counts.Sum(c => c.Runs), counts.Sum(c => c.First));
            }

            await Task.Delay(1000);
        }
    }

    private sealed record TableStats(long Reads, long Inserts, long Updates, long Deletes, long Scans)
    {
        public static TableStats operator -(TableStats a, TableStats b) =>
            new(a.Reads - b.Reads, a.Inserts - b.Inserts, a.Updates - b.Updates, a.Deletes - b.Deletes, a.Scans - b.Scans);
    }

    /// <summary>PostgreSQL's own counters for the reminder table: rows read by scans and index lookups, rows written.</summary>
    private static async Task<TableStats> ReminderTableAsync(BenchCluster cluster)
    {
        await using var connection = new NpgsqlConnection(cluster.Postgres.ConnectionStringFor("orleans_cluster"));
        await connection.OpenAsync();
        // The statistics collector reports with a delay; ask it for fresh figures.
        await using (var clear = new NpgsqlCommand("SELECT pg_stat_clear_snapshot()", connection))
        {
            await clear.ExecuteNonQueryAsync();
        }

        await using var command = new NpgsqlCommand(
            """
            SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0), n_tup_ins, n_tup_upd, n_tup_del, coalesce(seq_scan, 0) + coalesce(idx_scan, 0)
            FROM pg_stat_user_tables WHERE relname = 'orleansreminderstable'
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new TableStats(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
    }

    /// <summary>Samples the emulator's request count every second and keeps the highest one-second rate.</summary>
    private sealed class GraphRate : IDisposable
    {
        private readonly GraphEmulator.Graph.RequestLog _log;
        private readonly long _start;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _sampling;

        private GraphRate(GraphEmulator.Graph.RequestLog log)
        {
            _log = log;
            _start = log.Total;
            _sampling = SampleAsync();
        }

        public long PeakPerSecond { get; private set; }

        public long Total => _log.Total - _start;

        public static GraphRate Watch(GraphEmulator.Graph.RequestLog log) => new(log);

        public void Dispose()
        {
            _stop.Cancel();
            _sampling.ContinueWith(_ => { }, TaskScheduler.Default).Wait();
            _stop.Dispose();
        }

        private async Task SampleAsync()
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            var last = _log.Total;
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                var now = _log.Total;
                PeakPerSecond = Math.Max(PeakPerSecond, now - last);
                last = now;
            }
        }
    }
}
