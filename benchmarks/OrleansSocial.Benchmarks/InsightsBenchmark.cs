using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansSocial.Host.GraphBackend;
using OrleansSocial.Testing;

namespace OrleansSocial.Benchmarks;

/// <summary>
/// Insights on a long history: one Page with <c>--posts</c> posts over two years (a first sync reads them all,
/// a monthly one backfills two years of daily insights). Then best-times requests (latency p50/p99), and what
/// a daily sync costs the process in CPU with the best-times tally and without it (the same history on a
/// second host with <c>Sync:BestTimes</c> off; the embedded emulator's own work is in both figures). The
/// process figure drifts by more than the tally costs, so the phases' own durations are read too
/// (the sync meter's <c>orleans_social.sync.phase.duration</c>): what the insights phase takes of a daily run.
/// </summary>
internal static class InsightsBenchmark
{
    private static readonly ConcurrentDictionary<string, (int Count, double Milliseconds)> Phases = new();
    private const int DailySyncs = 150;
    private const int Requests = 500;
    private const int ReportRequests = 40;

    public static async Task RunAsync(BenchmarkOptions options)
    {
        Console.WriteLine($"insights benchmark: one Page with {options.Posts} posts over two years, {DailySyncs} daily syncs, {Requests} best-times requests");
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "orleans_social.sync.phase.duration")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "phase" && tag.Value is string phase)
                {
                    Phases.AddOrUpdate(phase, (1, value), (_, sum) => (sum.Count + 1, sum.Milliseconds + value));
                }
            }
        });
        listener.Start();

        // A first host warms the process up (JIT, tiering, pools): the first host measured would pay for it otherwise.
        // Then off and on twice, interleaved, so a drift of the machine shows as a difference between the pairs.
        await RunHostAsync(options.Posts, bestTimes: false, "warm-up");
        for (var pair = 1; pair <= 2; pair++)
        {
            var without = await RunHostAsync(options.Posts, bestTimes: false, $"tally off {pair}");
            var with = await RunHostAsync(options.Posts, bestTimes: true, $"tally on {pair}");
            Console.WriteLine($"pair {pair}: CPU per daily sync {with.CpuPerSync:F2} ms with the best-times tally, {without.CpuPerSync:F2} ms without: " +
                $"{with.CpuPerSync - without.CpuPerSync:F2} ms added ({(with.CpuPerSync - without.CpuPerSync) / without.CpuPerSync * 100:F1} %)");
        }
    }

    private static async Task<(double CpuPerSync, int Analysed)> RunHostAsync(int posts, bool bestTimes, string label)
    {
        using var data = new TempFolder("bench-insights");
        var settings = new Dictionary<string, string?>
        {
            ["Emulator:Users"] = "1",
            ["Emulator:PagesPerUser"] = "1",
            ["Emulator:PostsPerPage"] = "1",
            ["Emulator:MediaPerAccount"] = "1",
            ["Emulator:MaxCommentsPerPost"] = "0",
            ["Sync:FirstSyncDays"] = "731",
            ["Sync:BackfillDays"] = "730",
            ["Sync:BestTimes"] = bestTimes ? "true" : "false",
            ["Sync:InitialSyncWindow"] = "1.00:00:00",
        };
        await using var host = await BenchHost.StartAsync(data.Path, settings);
        var http = host.Client;
        using var emulator = new HttpClient { BaseAddress = host.Services.GetRequiredService<EmbeddedGraphEmulator>().BaseUrl };
        await (await emulator.PostAsJsonAsync("/__emulator/limits", new { appCallsPerHour = 1_000_000, pageCallsPerDay = 1_000_000, instagramCallsPerDay = 1_000_000 })).Content.ReadAsStringAsync();
        var world = await emulator.GetFromJsonAsync<JsonElement>("/__emulator/world?users=1");
        var user = world.GetProperty("users")[0];
        var pageId = user.GetProperty("pages")[0].GetProperty("id").GetString()!;
        var now = world.GetProperty("now").GetDateTimeOffset();

        // A post about every 3.5 hours for two years, engagement by a fixed pseudo-random pattern.
        var random = new Random(7);
        var span = TimeSpan.FromDays(729);
        var items = Enumerable.Range(0, posts).Select(i => new
        {
            createdTime = now - span + span * (i / (double)posts) + TimeSpan.FromMinutes(random.Next(120)),
            reactions = random.Next(10, 200),
            shares = random.Next(0, 10),
        }).ToList();
        (await emulator.PostAsJsonAsync("/__emulator/history", new { objectId = pageId, items })).EnsureSuccessStatusCode();

        var tenant = await BenchApi.CreateTenantAsync(http, "insights-" + label.Replace(' ', '-'));
        await BenchApi.UnlimitedAsync(http, tenant.Id);
        await BenchApi.LimitsAsync(http, tenant.Id, new { manualSyncsPerChannelPerHour = 100_000 });
        using (var connect = BenchApi.TenantRequest(HttpMethod.Post, "/api/channels/facebook", tenant, new { userAccessToken = user.GetProperty("shortLivedToken").GetString() }))
        using (var connected = await http.SendAsync(connect))
        {
            connected.EnsureSuccessStatusCode();
        }

        var channel = "fb-" + pageId;
        var watch = Stopwatch.StartNew();
        await SyncAsync(http, tenant, channel, "daily", "monthly");
        Console.WriteLine($"[{label}] history sync (first daily + monthly backfill of two years of insights): {watch.Elapsed.TotalSeconds:F1} s");

        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        Phases.Clear();
        var runs = TimeSpan.Zero;
        for (var i = 0; i < DailySyncs; i++)
        {
            runs += await SyncAsync(http, tenant, channel, "daily");
        }

        process.Refresh();
        var cpuPerSync = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds / DailySyncs;
        Console.WriteLine($"[{label}] {DailySyncs} daily syncs: {cpuPerSync:F2} ms CPU each (process total, emulator included); phases, mean ms: " +
            string.Join(", ", Phases.OrderBy(p => p.Key).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value.Milliseconds / p.Value.Count:F2} (x{p.Value.Count})"))));
        // What insights add to a daily run: the anomaly check and the best-times tally (one phase), neither calling Graph.
        // Against the other phases, and against the whole run from start to finish (its records, reminders and turns included).
        var insights = Phases.Where(p => p.Key is "insights" or "best-times" or "anomalies").Sum(p => p.Value.Milliseconds);
        var phases = Phases.Values.Sum(p => p.Milliseconds);
        var run = runs.TotalMilliseconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[{label}] insights phases: {insights / DailySyncs:F2} ms of a daily run's {phases / DailySyncs:F2} ms of phases ({insights / (phases - insights) * 100:F1} % added to the rest); " +
            $"a run start to finish {run / DailySyncs:F2} ms ({insights / (run - insights) * 100:F1} % added to the rest)"));

        var analysed = 0;
        if (bestTimes)
        {
            var latencies = new List<double>();
            for (var i = 0; i < Requests; i++)
            {
                var started = Stopwatch.GetTimestamp();
                using var request = BenchApi.TenantRequest(HttpMethod.Get, $"/api/channels/{channel}/best-times", tenant, null);
                using var response = await http.SendAsync(request);
                response.EnsureSuccessStatusCode();
                var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                analysed = body.GetProperty("postsAnalysed").GetInt32();
            }

            latencies.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"best-times: {analysed} posts analysed; {Requests} requests p50 {latencies[Requests / 2]:F2} ms, p99 {latencies[Requests * 99 / 100]:F2} ms"));

            // The period report over the whole two years (every post) and over the default 28 days.
            var until = DateTimeOffset.UtcNow;
            foreach (var (format, days) in new[] { ("csv", 729), ("html", 729), ("csv", 28), ("html", 28) })
            {
                var times = new List<double>();
                long bytes = 0;
                for (var i = 0; i < ReportRequests; i++)
                {
                    var started = Stopwatch.GetTimestamp();
                    var path = $"/api/analytics/report?format={format}&since={Uri.EscapeDataString(until.AddDays(-days).ToString("O"))}&until={Uri.EscapeDataString(until.ToString("O"))}";
                    using var request = BenchApi.TenantRequest(HttpMethod.Get, path, tenant, null);
                    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                    response.EnsureSuccessStatusCode();
                    await using var body = await response.Content.ReadAsStreamAsync();
                    bytes = await DrainAsync(body);
                    times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }

                times.Sort();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"report {format}, {days} days ({bytes / 1024.0:F0} KiB): {ReportRequests} requests p50 {times[ReportRequests / 2]:F1} ms, p99 {times[ReportRequests * 99 / 100]:F1} ms"));
            }
        }

        return (cpuPerSync, analysed);
    }

    private static async Task<long> DrainAsync(Stream body)
    {
        var buffer = new byte[64 * 1024];
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            total += read;
        }

        return total;
    }

    /// <summary>Runs a sync to its end; how long it took from its start to its finish, as the run records them.</summary>
    private static async Task<TimeSpan> SyncAsync(HttpClient http, (string Id, string Key) tenant, string channel, params string[] kinds)
    {
        using var start = BenchApi.TenantRequest(HttpMethod.Post, $"/api/channels/{channel}/sync", tenant, new { kinds });
        using var started = await http.SendAsync(start);
        started.EnsureSuccessStatusCode();
        var runId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("syncRunId").GetString();
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (DateTime.UtcNow < deadline)
        {
            using var list = BenchApi.TenantRequest(HttpMethod.Get, $"/api/channels/{channel}/sync-runs?limit=5", tenant, null);
            using var listed = await http.SendAsync(list);
            var run = (await listed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray().FirstOrDefault(r => r.GetProperty("syncRunId").GetString() == runId);
            var status = run.ValueKind == JsonValueKind.Object ? run.GetProperty("status").GetString() : null;
            if (status is "succeeded" or "failed")
            {
                if (status == "failed")
                {
                    throw new InvalidOperationException($"sync failed: {run.GetProperty("error")}");
                }

                return run.GetProperty("finishedAt").GetDateTimeOffset() - run.GetProperty("startedAt").GetDateTimeOffset();
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"sync run {runId} did not finish");
    }
}
