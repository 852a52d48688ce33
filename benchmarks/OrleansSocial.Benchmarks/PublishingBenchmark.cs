using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansSocial.Host.GraphBackend;
using OrleansSocial.Testing;

namespace OrleansSocial.Benchmarks;

/// <summary>
/// N tenants, each with its own Page, schedule P posts each, all due in the same second. Measures
/// the time from the due time until every post is published, the lateness of each publication
/// after its scheduledAt (p50, p99, max), and the duplicate posts the emulator counted (goal 0).
/// One silo on the embedded defaults (SQLite tenant databases, SQLite reminders).
/// </summary>
internal static class PublishingBenchmark
{
    public static async Task RunAsync(BenchmarkOptions options)
    {
        Console.WriteLine($"publishing benchmark: {options.Tenants} tenants x {options.Posts} posts due in the same second, concurrency {options.Concurrency}");
        using var data = new TempFolder("bench-publishing");
        await using var host = await BenchHost.StartAsync(data.Path, new Dictionary<string, string?>
        {
            ["Emulator:Users"] = options.Tenants.ToString(CultureInfo.InvariantCulture),
            ["Emulator:PagesPerUser"] = "1",
            ["Sync:InitialSyncWindow"] = "1.00:00:00",
        });
        var http = host.Client;
        using var peak = new PeakWorkingSet();
        using var emulator = new HttpClient { BaseAddress = host.Services.GetRequiredService<EmbeddedGraphEmulator>().BaseUrl };
        var world = await emulator.GetFromJsonAsync<JsonElement>($"/__emulator/world?users={options.Tenants}");
        var userTokens = world.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("shortLivedToken").GetString()!).ToList();

        var watch = Stopwatch.StartNew();
        var tenants = await BenchApi.ForEachAsync(Enumerable.Range(0, options.Tenants).ToList(), options.Concurrency, async i =>
        {
            var tenant = await BenchApi.CreateTenantAsync(http, $"pub-t{i:D5}");
            using var connect = BenchApi.TenantRequest(HttpMethod.Post, "/api/channels/facebook", tenant, new { userAccessToken = userTokens[i] });
            using var connected = await http.SendAsync(connect);
            connected.EnsureSuccessStatusCode();
            var channel = (await connected.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().First().GetProperty("channelId").GetString()!;
            return (tenant, channel);
        });
        Console.WriteLine($"setup: {options.Tenants} tenants with a Page each in {watch.Elapsed.TotalSeconds:F1} s");

        // Scheduling takes a while; the due time is set far enough ahead for all of it, measured from the first hundred.
        var posts = tenants.SelectMany(t => Enumerable.Range(0, options.Posts).Select(k => (t.tenant, t.channel, k))).ToList();
        watch.Restart();
        var due = DateTimeOffset.UtcNow.AddSeconds(Math.Max(20, posts.Count / 300.0));
        var ids = await BenchApi.ForEachAsync(posts, options.Concurrency, async p =>
        {
            using var request = BenchApi.TenantRequest(HttpMethod.Post, "/api/posts", p.tenant, new { channelIds = new[] { p.channel }, text = $"{p.tenant.Id} post {p.k}", scheduledAt = due });
            using var response = await http.SendAsync(request);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }

            return (p.tenant, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("postId").GetString()!);
        });
        Console.WriteLine($"scheduled {ids.Count} posts in {watch.Elapsed.TotalSeconds:F1} s ({ids.Count / watch.Elapsed.TotalSeconds:F0}/s); due at {due:HH:mm:ss}, {(due - DateTimeOffset.UtcNow).TotalSeconds:F0} s later");
        if (DateTimeOffset.UtcNow > due)
        {
            Console.WriteLine("  (scheduling overran the due time: lateness below includes it)");
        }

        while (DateTimeOffset.UtcNow < due)
        {
            await Task.Delay(200);
        }

        var (lateness, failed) = await SettleAsync(http, ids, due, options.Concurrency);
        var allDone = DateTimeOffset.UtcNow - due;
        var landed = (await emulator.GetFromJsonAsync<JsonElement>("/__emulator/publications")).EnumerateArray()
            .Select(p => (Owner: p.GetProperty("ownerId").GetString(), Message: p.GetProperty("message").GetString())).ToList();
        var duplicates = landed.Count - landed.Distinct().Count();

        Console.WriteLine($"all {ids.Count} settled {allDone.TotalSeconds:F1} s after the due time (polled every 0.5 s per post): {lateness.Count} published, {failed} failed or cancelled");
        if (lateness.Count > 0)
        {
            Console.WriteLine($"  lateness after scheduledAt: p50 {Percentile(lateness, 0.50):F2} s, p99 {Percentile(lateness, 0.99):F2} s, max {lateness[^1]:F2} s");
        }

        Console.WriteLine($"  posts on the emulator: {landed.Count}; duplicates: {duplicates}");
        Console.WriteLine($"  slow grain turns (Orleans 'took elapsed time' warnings, goal 0): {SlowTurns.Count}");
        Console.WriteLine($"  peak working set (whole process: host, emulator and load): {peak.PeakMiB:F0} MiB");
    }

    /// <summary>
    /// Polls every post (twice a second each) until its publication has settled; the lateness of each
    /// published one after <paramref name="due"/> (sorted), and how many failed or were cancelled.
    /// A silo that does not answer yet (it is taking over a dead one's work) is asked again.
    /// </summary>
    public static async Task<(List<double> Lateness, int Failed)> SettleAsync(HttpClient http, IReadOnlyList<((string Id, string Key) Tenant, string PostId)> posts, DateTimeOffset due, int concurrency)
    {
        var lateness = new List<double>();
        var failed = 0;
        await BenchApi.ForEachAsync(posts, concurrency, async p =>
        {
            while (true)
            {
                try
                {
                    using var request = BenchApi.TenantRequest(HttpMethod.Get, $"/api/posts/{p.PostId}", p.Tenant, null);
                    using var response = await http.SendAsync(request);
                    var publication = response.IsSuccessStatusCode ? (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("publications")[0] : default;
                    var status = publication.ValueKind == JsonValueKind.Object ? publication.GetProperty("status").GetString() : null;
                    if (status is "published" or "failed" or "cancelled")
                    {
                        lock (lateness)
                        {
                            if (status == "published")
                            {
                                lateness.Add((publication.GetProperty("publishedAt").GetDateTimeOffset() - due).TotalSeconds);
                            }
                            else
                            {
                                failed++;
                            }
                        }

                        return 0;
                    }
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                {
                    // Not answering yet, or too slowly: asked again.
                }

                await Task.Delay(500);
            }
        });
        lateness.Sort();
        return (lateness, failed);
    }

    public static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
