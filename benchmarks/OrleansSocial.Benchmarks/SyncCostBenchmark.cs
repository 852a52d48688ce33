using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansSocial.Host.GraphBackend;
using OrleansSocial.Testing;

namespace OrleansSocial.Benchmarks;

/// <summary>
/// What one channel sync costs Graph: N tenants, each with one Facebook Page and its Instagram
/// account (a post a day, a medium every two days, up to six comments each). Every channel syncs
/// its history first, then once more as the next day's daily sync. Per platform and sync: HTTP
/// calls (run records), Graph operations (the emulator's request log, batch operations counted
/// one by one), and what the emulator charged the Page's or account's bucket in calls, CPU and
/// time, with the share of a day's quota that is.
/// </summary>
internal static class SyncCostBenchmark
{
    public static async Task RunAsync(BenchmarkOptions options)
    {
        Console.WriteLine($"sync-cost benchmark: {options.Tenants} tenants x (1 Page + 1 Instagram account)");
        using var data = new TempFolder("bench-sync-cost");
        var settings = new Dictionary<string, string?>
        {
            ["Emulator:Users"] = options.Tenants.ToString(CultureInfo.InvariantCulture),
            ["Emulator:PagesPerUser"] = "1",
            ["Emulator:PostsPerPage"] = "730",
            ["Emulator:MediaPerAccount"] = "365",
            // Manual syncs only: a new channel's scheduled history sync would be counted twice.
            ["Sync:InitialSyncWindow"] = "1.00:00:00",
        };
        await using var host = await BenchHost.StartAsync(data.Path, settings);
        var http = host.Client;
        using var emulator = new HttpClient { BaseAddress = host.Services.GetRequiredService<EmbeddedGraphEmulator>().BaseUrl };
        var generated = await emulator.GetFromJsonAsync<JsonElement>($"/__emulator/world?users={options.Tenants}");
        var userTokens = generated.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("shortLivedToken").GetString()!).ToList();
        var limits = await (await emulator.PostAsJsonAsync("/__emulator/limits", new { })).Content.ReadFromJsonAsync<JsonElement>();

        var channels = await BenchApi.ForEachAsync(Enumerable.Range(0, options.Tenants).ToList(), options.Concurrency, async i =>
        {
            var tenant = await BenchApi.CreateTenantAsync(http, $"cost-t{i:D5}");
            var ids = new List<(string Platform, string Channel)>();
            foreach (var platform in new[] { "facebook", "instagram" })
            {
                using var connect = BenchApi.TenantRequest(HttpMethod.Post, $"/api/channels/{platform}", tenant, new { userAccessToken = userTokens[i] });
                using var connected = await http.SendAsync(connect);
                connected.EnsureSuccessStatusCode();
                ids.AddRange((await connected.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Select(c => (platform, c.GetProperty("channelId").GetString()!)));
            }

            return ids.Select(c => (tenant, c.Platform, c.Channel)).ToList();
        });

        foreach (var (platform, bucket, quota) in new[] { ("facebook", "pages", limits.GetProperty("pageCallsPerDay").GetInt32()), ("instagram", "instagram", limits.GetProperty("instagramCallsPerDay").GetInt32()) })
        {
            var jobs = channels.SelectMany(c => c).Where(c => c.Platform == platform).ToList();
            foreach (var round in new[] { "history (first) sync", "daily sync" })
            {
                var before = await SpentAsync(emulator, bucket);
                var runs = await BenchApi.ForEachAsync(jobs, options.Concurrency, job => SyncAsync(http, job.tenant, job.Channel));
                var after = await SpentAsync(emulator, bucket);
                var n = (double)jobs.Count;
                var (calls, cpu, time) = ((after.Calls - before.Calls) / n, (after.Cpu - before.Cpu) / n, (after.Time - before.Time) / n);
                Console.WriteLine($"{platform} {round}, {jobs.Count} channels: {runs.Count(r => r.Status == "succeeded")} succeeded; per sync: "
                    + $"{runs.Average(r => r.Calls):F2} HTTP calls, {(after.Operations - before.Operations) / n:F2} Graph operations; "
                    + $"bucket charge {calls:F2} calls / {cpu:F2} CPU / {time:F2} time (call units) = {Math.Max(calls, Math.Max(cpu, time)) * 100 / quota:F4} % of a {quota}-call day; "
                    + $"{runs.Average(r => r.Items):F1} items written");
            }
        }

        Console.WriteLine("(a scheduled daily run adds one debug_token operation on the app bucket: SyncPhases.For)");
    }

    private sealed record Run(string Status, int Calls, int Items);

    private static async Task<Run> SyncAsync(HttpClient http, (string Id, string Key) tenant, string channel)
    {
        using var request = BenchApi.TenantRequest(HttpMethod.Post, $"/api/channels/{channel}/sync", tenant, new { kinds = new[] { "daily" } });
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var runId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("syncRunId").GetString();
        while (true)
        {
            using var poll = BenchApi.TenantRequest(HttpMethod.Get, $"/api/channels/{channel}/sync-runs?limit=5", tenant, null);
            using var answer = await http.SendAsync(poll);
            var run = (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray().FirstOrDefault(r => r.GetProperty("syncRunId").GetString() == runId);
            if (run.ValueKind == JsonValueKind.Object && run.GetProperty("status").GetString() is { } status && status is "succeeded" or "failed" or "waiting")
            {
                return new Run(status, run.GetProperty("graphCalls").GetInt32(), run.GetProperty("itemsWritten").GetInt32());
            }

            await Task.Delay(50);
        }
    }

    private sealed record Spent(long Operations, double Calls, double Cpu, double Time);

    private static async Task<Spent> SpentAsync(HttpClient emulator, string bucket)
    {
        var usage = (await emulator.GetFromJsonAsync<JsonElement>("/__emulator/usage")).GetProperty(bucket);
        var log = await emulator.GetFromJsonAsync<JsonElement>("/__emulator/log");
        // A batch's envelope is logged as well as each of its operations; only the operations count.
        var envelopes = log.GetProperty("byEndpoint").TryGetProperty("POST /", out var batches) ? batches.GetInt64() : 0;
        var operations = log.GetProperty("total").GetInt64() - envelopes;
        return new Spent(operations, usage.GetProperty("calls").GetInt64(), usage.GetProperty("cpu").GetDouble(), usage.GetProperty("time").GetDouble());
    }
}
