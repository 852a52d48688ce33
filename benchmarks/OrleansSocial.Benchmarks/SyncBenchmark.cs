using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansSocial.Host.GraphBackend;
using OrleansSocial.Testing;

namespace OrleansSocial.Benchmarks;

/// <summary>
/// The sync engine against the embedded emulator. Part 1: N tenants x M channels (one emulator
/// user and its Pages per tenant), then one daily sync of every channel at once: wall time, Graph
/// calls per channel sync, peak working set of this process (host, emulator and load together).
/// Part 2: the emulator's per-Page budget made the bottleneck; every channel of a few tenants syncs
/// again and again until the rate budget parks it: the share of each Page's budget used and the
/// throttling errors the emulator answered.
/// </summary>
internal static class SyncBenchmark
{
    private const int BudgetTenants = 10;
    // A daily sync is one call: a budget of 40 parks a channel within the plan's 60 manual syncs an hour.
    private const int PageCallsPerDay = 40;

    /// <param name="emulatorProcess">The emulator in its own process: this process is then the host and the load generator only.</param>
    public static async Task RunAsync(BenchmarkOptions options, bool emulatorProcess)
    {
        Console.WriteLine($"sync benchmark: {options.Tenants} tenants x {options.Channels} channels, concurrency {options.Concurrency}, emulator {(emulatorProcess ? "in its own process" : "in the host process")}");
        using var data = new TempFolder("bench-sync");
        var world = new Dictionary<string, string>
        {
            ["Emulator:Users"] = options.Tenants.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Emulator:PagesPerUser"] = options.Channels.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        await using var separate = emulatorProcess ? await EmulatorProcess.StartAsync(world) : null;
        var settings = new Dictionary<string, string?>(world.Select(p => KeyValuePair.Create(p.Key, (string?)p.Value)))
        {
            // This measures one explicit daily sync; a new channel's scheduled history sync would overlap it.
            ["Sync:InitialSyncWindow"] = "1.00:00:00",
        };
        if (separate is not null)
        {
            settings["Graph:BaseUrl"] = separate.BaseUrl.ToString();
            settings["Graph:AppId"] = "1234567890123";
            settings["Graph:AppSecret"] = "emulator-app-secret";
        }

        await using var host = await BenchHost.StartAsync(data.Path, settings);
        var http = host.Client;
        using var emulator = new HttpClient { BaseAddress = separate?.BaseUrl ?? host.Services.GetRequiredService<EmbeddedGraphEmulator>().BaseUrl };
        var peak = new PeakWorkingSet();

        var generated = await emulator.GetFromJsonAsync<JsonElement>($"/__emulator/world?users={options.Tenants}");
        var userTokens = generated.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("shortLivedToken").GetString()!).ToList();

        var watch = Stopwatch.StartNew();
        var tenants = await BenchApi.ForEachAsync(Enumerable.Range(0, options.Tenants).ToList(), options.Concurrency, async i =>
        {
            var tenant = await BenchApi.CreateTenantAsync(http, $"sync-t{i:D5}");
            using var connect = BenchApi.TenantRequest(HttpMethod.Post, "/api/channels/facebook", tenant, new { userAccessToken = userTokens[i] });
            using var connected = await http.SendAsync(connect);
            connected.EnsureSuccessStatusCode();
            var channels = (await connected.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Select(c => c.GetProperty("channelId").GetString()!).ToList();
            return (tenant, channels);
        });
        Console.WriteLine($"setup: {options.Tenants} tenants, {tenants.Sum(t => t.channels.Count)} channels connected in {watch.Elapsed.TotalSeconds:F1} s");
        ReportMemory("after setup");

        var before = await GraphCallsAsync(emulator);
        watch.Restart();
        var jobs = tenants.SelectMany(t => t.channels.Select(c => (t.tenant, channel: c))).ToList();
        await BenchApi.ForEachAsync(jobs, options.Concurrency, async job =>
        {
            using var request = BenchApi.TenantRequest(HttpMethod.Post, $"/api/channels/{job.channel}/sync", job.tenant, new { kinds = new[] { "daily" } });
            using var response = await http.SendAsync(request);
            response.EnsureSuccessStatusCode();
            return 0;
        });
        var requested = watch.Elapsed;
        var runs = await WaitForRunsAsync(http, tenants, options.Concurrency);
        var wall = watch.Elapsed;
        var graphCalls = await GraphCallsAsync(emulator) - before;

        Console.WriteLine($"daily sync of {jobs.Count} channels: wall {wall.TotalSeconds:F1} s (all requested after {requested.TotalSeconds:F1} s), {jobs.Count / wall.TotalSeconds:F0} channel syncs/s");
        Console.WriteLine($"  runs: {runs.Count(r => r.Status == "succeeded")} succeeded, {runs.Count(r => r.Status != "succeeded")} other");
        Console.WriteLine($"  Graph HTTP calls per channel sync (run records): {runs.Average(r => r.Calls):F2}; Graph operations the emulator counted per channel sync: {graphCalls / (double)jobs.Count:F2}");
        Console.WriteLine($"  items written per channel sync: {runs.Average(r => r.Items):F1}");
        Console.WriteLine($"  slow grain turns (Orleans 'took elapsed time' warnings, goal 0): {SlowTurns.Count}");
        Console.WriteLine(separate is null
            ? $"  peak working set (whole process: host + emulator + load): {peak.PeakMiB:F0} MiB"
            : $"  peak working set: host + load {peak.PeakMiB:F0} MiB (VmHWM {ProcessMemory.PeakMiB(Environment.ProcessId):F0} MiB); the emulator's own process {separate.PeakMiB:F0} MiB");
        ReportMemory("after the sync");
        await ReportActivationsAsync(host, "right after the last run ended (the poll for it reactivates a channel)");
        if (separate is not null)
        {
            // Past the channel grain's collection age (2 min) and a collection quantum (1 min).
            await Task.Delay(TimeSpan.FromMinutes(3.5));
            await ReportActivationsAsync(host, "3.5 min later, idle");
            GC.Collect();
            ReportMemory("then, after a full collection");
        }

        await MeasureBudgetAsync(http, emulator, tenants.Take(BudgetTenants).ToList(), options.Concurrency);
        peak.Dispose();
    }

    /// <summary>Where the working set goes: the managed heap (live and committed), SQLite's native allocations, and the peak so far.</summary>
    private static void ReportMemory(string when)
    {
        var gc = GC.GetGCMemoryInfo();
        const double MiB = 1024 * 1024;
        Console.WriteLine($"  memory {when}: working set {Environment.WorkingSet / MiB:F0} MiB (peak {ProcessMemory.PeakMiB(Environment.ProcessId):F0}); managed heap {gc.HeapSizeBytes / MiB:F0} MiB, committed {gc.TotalCommittedBytes / MiB:F0} MiB; "
            + $"SQLite native {SQLitePCL.raw.sqlite3_memory_used() / MiB:F0} MiB (high-water {SQLitePCL.raw.sqlite3_memory_highwater(0) / MiB:F0})");
    }

    private static async Task ReportActivationsAsync(BenchHost host, string when)
    {
        var statistics = await host.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics();
        var channels = statistics.Where(s => s.GrainType.Contains("ChannelGrain", StringComparison.Ordinal)).Sum(s => s.ActivationCount);
        Console.WriteLine($"  activations {when}: {statistics.Sum(s => s.ActivationCount)} in all, {channels} channel grains");
    }

    /// <summary>Part 2: each Page may take 40 calls a day; channels sync until the budget parks them.</summary>
    private static async Task MeasureBudgetAsync(HttpClient http, HttpClient emulator, List<((string Id, string Key) tenant, List<string> channels)> tenants, int concurrency)
    {
        (await emulator.PostAsJsonAsync("/__emulator/limits", new { pageCallsPerDay = PageCallsPerDay, reset = true })).EnsureSuccessStatusCode();
        var before = await PageCountsAsync(emulator);
        var jobs = tenants.SelectMany(t => t.channels.Select(c => (t.tenant, channel: c))).ToList();
        var watch = Stopwatch.StartNew();
        var syncs = await BenchApi.ForEachAsync(jobs, concurrency, async job =>
        {
            var count = 0;
            while (true)
            {
                using var request = BenchApi.TenantRequest(HttpMethod.Post, $"/api/channels/{job.channel}/sync", job.tenant, new { kinds = new[] { "daily" } });
                using var response = await http.SendAsync(request);
                response.EnsureSuccessStatusCode();
                var runId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("syncRunId").GetString();
                count++;
                var status = await WaitForRunAsync(http, job.tenant, job.channel, runId!);
                if (status == "waiting")
                {
                    return count;
                }
            }
        });
        var after = await PageCountsAsync(emulator);
        var charged = await emulator.GetFromJsonAsync<JsonElement>("/__emulator/usage");
        var limits = await emulator.PostAsJsonAsync("/__emulator/limits", new { });
        var throttled = (await limits.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("throttledCalls").GetInt64();
        var shares = jobs.Select(j => j.channel["fb-".Length..]).Select(page => Math.Min(PageCallsPerDay, after.GetValueOrDefault(page) - before.GetValueOrDefault(page)) / (double)PageCallsPerDay).ToList();

        Console.WriteLine($"budget bottleneck: {jobs.Count} channels, {PageCallsPerDay} calls per Page per day, syncs until parked: {syncs.Average():F1} per channel in {watch.Elapsed.TotalSeconds:F1} s");
        var pages = charged.GetProperty("pages");
        var binding = Math.Max(pages.GetProperty("calls").GetDouble(), Math.Max(pages.GetProperty("cpu").GetDouble(), pages.GetProperty("time").GetDouble()));
        Console.WriteLine($"  share of each Page's call count used: mean {shares.Average():P1}, min {shares.Min():P1}, max {shares.Max():P1}; "
            + $"of the binding measure (calls, CPU or time, whichever is highest), mean {binding / (PageCallsPerDay * (double)jobs.Count):P1}");
        Console.WriteLine($"  throttling errors from the emulator: {throttled}");
    }

    private sealed record Run(string Status, int Calls, int Items);

    private static async Task<List<Run>> WaitForRunsAsync(HttpClient http, List<((string Id, string Key) tenant, List<string> channels)> tenants, int concurrency)
    {
        var results = await BenchApi.ForEachAsync(tenants, concurrency, async t =>
        {
            var runs = new List<Run>();
            foreach (var channel in t.channels)
            {
                while (true)
                {
                    using var request = BenchApi.TenantRequest(HttpMethod.Get, $"/api/channels/{channel}/sync-runs?limit=1", t.tenant, null);
                    using var response = await http.SendAsync(request);
                    var run = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray().FirstOrDefault();
                    var status = run.ValueKind == JsonValueKind.Object ? run.GetProperty("status").GetString() : null;
                    if (status is "succeeded" or "failed")
                    {
                        runs.Add(new Run(status, run.GetProperty("graphCalls").GetInt32(), run.GetProperty("itemsWritten").GetInt32()));
                        break;
                    }

                    await Task.Delay(250);
                }
            }

            return runs;
        });
        return results.SelectMany(r => r).ToList();
    }

    private static async Task<string> WaitForRunAsync(HttpClient http, (string Id, string Key) tenant, string channel, string runId)
    {
        while (true)
        {
            using var request = BenchApi.TenantRequest(HttpMethod.Get, $"/api/channels/{channel}/sync-runs?limit=5", tenant, null);
            using var response = await http.SendAsync(request);
            var run = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray().FirstOrDefault(r => r.GetProperty("syncRunId").GetString() == runId);
            var status = run.ValueKind == JsonValueKind.Object ? run.GetProperty("status").GetString()! : "running";
            if (status != "running")
            {
                return status;
            }

            await Task.Delay(50);
        }
    }

    private static async Task<long> GraphCallsAsync(HttpClient http) =>
        (await http.GetFromJsonAsync<JsonElement>("/__emulator/log")).GetProperty("total").GetInt64();

    private static async Task<Dictionary<string, long>> PageCountsAsync(HttpClient http) =>
        (await http.GetFromJsonAsync<JsonElement>("/__emulator/log")).GetProperty("byObject").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
}
