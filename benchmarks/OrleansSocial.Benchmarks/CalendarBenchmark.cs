using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansSocial.Posts;
using OrleansSocial.ReadModels;
using OrleansSocial.ReadModels.Posts;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Naming;
using OrleansSocial.Testing;

namespace OrleansSocial.Benchmarks;

/// <summary>
/// The calendar's cost against the size of a tenant (embedded SQLite host): tenants holding 100,
/// 10,000 and 100,000 posts (seeded straight into their databases as the post grain writes them,
/// 1 KB of text each, a fifth of them drafts without a time); p50/p99 of a calendar page of 25 and of
/// 100 from a random point in time; the host's memory during 200 concurrent page-100 reads of the
/// largest; and a neighbour tenant's p50 while those run, against its idle figure.
/// </summary>
internal static class CalendarBenchmark
{
    private static readonly int[] Sizes = [100, 10_000, 100_000];
    private static readonly DateTimeOffset Start = DateTimeOffset.UtcNow.AddDays(1);

    public static async Task RunAsync(BenchmarkOptions options)
    {
        using var data = new TempFolder("bench-calendar");
        await using var host = await BenchHost.StartAsync(data.Path, new Dictionary<string, string?>());
        var tenants = new Dictionary<int, (string Id, string Key)>();
        foreach (var size in Sizes)
        {
            var tenant = await CreateTenantAsync(host, $"cal-{size}");
            var watch = Stopwatch.StartNew();
            await SeedAsync(host, tenant.Id, size);
            Console.WriteLine($"seeded {size,7:N0} posts in {watch.Elapsed.TotalSeconds,6:F1} s");
            tenants[size] = tenant;
        }

        var random = new Random(42);
        foreach (var size in Sizes)
        {
            foreach (var limit in new[] { 25, 100 })
            {
                var latencies = await ReadAsync(host, tenants[size], limit, 200, 4, random);
                Console.WriteLine($"{size,7:N0} posts, page {limit,3}: p50 {Percentile(latencies, 0.50),7:F2} ms  p99 {Percentile(latencies, 0.99),7:F2} ms");
            }
        }

        var neighbour = tenants[100];
        var idle = await ReadAsync(host, neighbour, 25, 200, 1, random);
        // A host in service has met such a burst before: the thread pool and the JIT are warm, so what is measured is the reads' own memory.
        await ReadAsync(host, tenants[Sizes[^1]], 100, 200, 200, random);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var self = Process.GetCurrentProcess();
        var before = self.WorkingSet64 / (1024.0 * 1024);
        using var peak = new PeakWorkingSet();
        var load = ReadAsync(host, tenants[Sizes[^1]], 100, 200, 200, random);
        var busy = await ReadAsync(host, neighbour, 25, 100, 1, random);
        await load;
        Console.WriteLine($"200 concurrent page-100 reads of the {Sizes[^1]:N0}-post tenant: working set {before:F0} MiB before, peak {peak.PeakMiB:F0} MiB (+{peak.PeakMiB - before:F0} MiB)");
        Console.WriteLine($"neighbour (100 posts) page-25 p50: idle {Percentile(idle, 0.5):F2} ms, meanwhile {Percentile(busy, 0.5):F2} ms ({Percentile(busy, 0.5) / Percentile(idle, 0.5):F2}x)");
        // Alternating rounds, so neither side gets the quieter moments of the machine; the median round is the figure.
        // One reader at a time, and four: past two at once a file's readers open unpooled connections whose page cache starts cold.
        foreach (var readers in new[] { 1, 4 })
        {
            var ratios = new List<double>();
            for (var round = 0; round < 7; round++)
            {
                var small = Percentile(await ReadAsync(host, tenants[100], 25, 200, readers, random), 0.5);
                var large = Percentile(await ReadAsync(host, tenants[Sizes[^1]], 25, 200, readers, random), 0.5);
                ratios.Add(large / small);
                Console.WriteLine($"  {readers} reader(s), round {round + 1}: page-25 p50 {small:F2} ms at 100 posts, {large:F2} ms at {Sizes[^1]:N0} posts ({large / small:F2}x)");
            }

            Console.WriteLine($"page-25 p50 at {Sizes[^1]:N0} posts / at 100 posts, {readers} reader(s), median of 7 rounds: {Percentile(ratios, 0.5):F2}x (goal <= 1.5x)");
        }
    }

    private static async Task<(string Id, string Key)> CreateTenantAsync(BenchHost host, string id)
    {
        using var create = new HttpRequestMessage(HttpMethod.Post, "/admin/tenants") { Content = JsonContent.Create(new { id, name = id, plan = "enterprise", ownerEmail = $"owner@{id}.test" }) };
        create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", BenchHost.OperatorKey);
        using var created = await host.Client.SendAsync(create);
        created.EnsureSuccessStatusCode();
        var key = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ownerApiKey").GetString()!;
        using var unlimited = new HttpRequestMessage(HttpMethod.Patch, $"/admin/tenants/{id}") { Content = JsonContent.Create(new { limits = new { apiRequestsPerMinute = int.MaxValue } }) };
        unlimited.Headers.Authorization = new AuthenticationHeaderValue("Bearer", BenchHost.OperatorKey);
        (await host.Client.SendAsync(unlimited)).EnsureSuccessStatusCode();
        return (id, key);
    }

    /// <summary>Posts as the post grain stores them: the record with its calendar key, and a row per channel.</summary>
    private static async Task SeedAsync(BenchHost host, string tenantId, int count)
    {
        var database = host.Services.GetRequiredService<IDocumentStore>().GetDatabase(StorageNames.TenantDatabase(tenantId));
        var posts = database.GetCollection(Collections.PlannedPosts);
        var rows = database.GetCollection(Collections.PostChannels);
        var text = new string('x', 1_000);
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var draft = i % 5 == 0;
                var status = draft ? PublicationStatus.Draft : PublicationStatus.Scheduled;
                DateTimeOffset? at = draft ? null : Start.AddSeconds(i * (180.0 * 86_400 / count));
                var postId = "p" + i.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
                var channel = $"fb-10000000000{i % 10:00}";
                var post = new PostView(postId, "m0", status, new PostContent(text, null, [], new Dictionary<string, VariantContent>(), at),
                    [new PublicationView(channel, "facebook", status, DueAt: at)], null, null, Start, Start, ["m0"], 1);
                await posts.UpsertAsync(postId, PostCalendar.Stamped(DocumentJson.ToJson(post), post), CancellationToken.None);
                await rows.UpsertAsync(PostCalendar.RowId(postId, channel), DocumentJson.ToJson(PostCalendar.RowOf(post, channel)), CancellationToken.None);
            }
        }));
    }

    /// <summary>Calendar pages from random points of the 180 days, <paramref name="concurrency"/> at a time; each request's milliseconds.</summary>
    private static async Task<List<double>> ReadAsync(BenchHost host, (string Id, string Key) tenant, int limit, int count, int concurrency, Random random)
    {
        var latencies = new List<double>();
        var next = -1;
        // Full pages only, so tenants of every size answer the same amount: a starting point that leaves at least a page of timed posts after it.
        var timed = int.Parse(tenant.Id[4..], System.Globalization.CultureInfo.InvariantCulture) * 4 / 5;
        var span = Math.Max(0, 1 - (limit * 1.1 / timed));
        var froms = Enumerable.Range(0, count).Select(_ => Start.AddDays(random.NextDouble() * 180 * span)).ToArray();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/posts?limit={limit}&from={Uri.EscapeDataString(froms[i].ToString("O"))}");
                request.Headers.Add("x-tenant-id", tenant.Id);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tenant.Key);
                var watch = Stopwatch.StartNew();
                using var response = await host.Client.SendAsync(request);
                await response.Content.ReadAsByteArrayAsync();
                watch.Stop();
                response.EnsureSuccessStatusCode();
                lock (latencies)
                {
                    latencies.Add(watch.Elapsed.TotalMilliseconds);
                }
            }
        }));
        return latencies;
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}
