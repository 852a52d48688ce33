using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansSocial.Testing;

namespace OrleansSocial.Benchmarks;

/// <summary>
/// A tenant with 10,000 documents (drafts) moved online from a schema of a shared database to a
/// database of its own on one PostgreSQL server, while workers read (a page of posts, the tenant) and
/// write (new drafts) throughout. Reports how long writes were refused (503 + Retry-After, first to
/// last), reads that failed, and writes that were acknowledged (201) but are missing afterwards.
/// </summary>
internal static class TierMoveBenchmark
{
    public static async Task RunAsync(BenchmarkOptions options)
    {
        var documents = options.Tenants;
        Console.WriteLine($"tier move under load: a tenant with {documents} drafts, schema -> database, {options.Concurrency} workers reading and writing");
        var postgres = new PostgresServer();
        await postgres.InitializeAsync();
        try
        {
            using var data = new TempFolder("bench-tier-move");
            await using var host = await BenchHost.StartAsync(data.Path, new Dictionary<string, string?>
            {
                ["Storage:Engine"] = "postgres",
                ["Storage:Postgres"] = postgres.ConnectionStringFor("bench_catalog"),
                ["Sync:InitialSyncWindow"] = "1.00:00:00",
            });
            var http = host.Client;
            var tenant = await BenchApi.CreateTenantAsync(http, "tier-move", "schema");
            await BenchApi.UnlimitedAsync(http, tenant.Id);
            // Drafts are for a channel: the embedded emulator's demo user's first Page.
            using var connect = BenchApi.TenantRequest(HttpMethod.Post, "/api/channels/facebook", tenant, new { userAccessToken = OrleansSocial.GraphEmulator.World.TokenStore.DemoUserToken });
            using var connected = await http.SendAsync(connect);
            connected.EnsureSuccessStatusCode();
            var channel = (await connected.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().First().GetProperty("channelId").GetString()!;
            var watch = Stopwatch.StartNew();
            await BenchApi.ForEachAsync(Enumerable.Range(0, documents).ToList(), options.Concurrency, async i =>
            {
                using var request = BenchApi.TenantRequest(HttpMethod.Post, "/api/posts", tenant, new { channelIds = new[] { channel }, text = $"draft {i}" });
                using var response = await http.SendAsync(request);
                response.EnsureSuccessStatusCode();
                return 0;
            });
            Console.WriteLine($"setup: {documents} drafts in {watch.Elapsed.TotalSeconds:F1} s");

            var acknowledged = new ConcurrentBag<string>();
            var (reads, readFailures, writes, refused) = (0, 0, 0, 0);
            long firstRefusal = 0, lastRefusal = 0;
            var clock = Stopwatch.StartNew();
            using var stop = new CancellationTokenSource();
            var workers = Enumerable.Range(0, options.Concurrency).Select(w => Task.Run(async () =>
            {
                var n = 0;
                while (!stop.IsCancellationRequested)
                {
                    if (n++ % 2 == 0)
                    {
                        using var read = BenchApi.TenantRequest(HttpMethod.Get, n % 4 == 1 ? "/api/posts?limit=20" : "/api/tenant", tenant, null);
                        using var answer = await http.SendAsync(read);
                        Interlocked.Increment(ref reads);
                        if (!answer.IsSuccessStatusCode)
                        {
                            Interlocked.Increment(ref readFailures);
                        }

                        continue;
                    }

                    var text = $"written during the move {w}-{n}";
                    using var write = BenchApi.TenantRequest(HttpMethod.Post, "/api/posts", tenant, new { channelIds = new[] { channel }, text });
                    using var response = await http.SendAsync(write);
                    Interlocked.Increment(ref writes);
                    if (response.StatusCode == HttpStatusCode.Created)
                    {
                        acknowledged.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("postId").GetString()!);
                    }
                    else if (response.StatusCode == HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is not null)
                    {
                        Interlocked.Increment(ref refused);
                        Interlocked.CompareExchange(ref firstRefusal, clock.ElapsedTicks, 0);
                        Interlocked.Exchange(ref lastRefusal, clock.ElapsedTicks);
                    }
                    else
                    {
                        throw new InvalidOperationException($"a write answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                    }
                }
            })).ToList();

            await Task.Delay(TimeSpan.FromSeconds(2));
            using var move = new HttpRequestMessage(HttpMethod.Post, $"/admin/tenants/{tenant.Id}/move") { Content = JsonContent.Create(new { isolation = "database" }) };
            move.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", BenchHost.OperatorKey);
            using var moved = await http.SendAsync(move);
            var outcome = await moved.Content.ReadAsStringAsync();
            await Task.Delay(TimeSpan.FromSeconds(2));
            await stop.CancelAsync();
            await Task.WhenAll(workers);

            var missing = 0;
            foreach (var id in acknowledged)
            {
                using var check = BenchApi.TenantRequest(HttpMethod.Get, $"/api/posts/{id}", tenant, null);
                using var found = await http.SendAsync(check);
                if (found.StatusCode != HttpStatusCode.OK)
                {
                    missing++;
                }
            }

            var window = lastRefusal == 0 ? 0 : (lastRefusal - firstRefusal) / (double)Stopwatch.Frequency;
            Console.WriteLine($"move: {(int)moved.StatusCode} {outcome}");
            Console.WriteLine($"writes refused (503 + Retry-After) for {window:F2} s (first to last refusal); {refused} of {writes} writes refused");
            Console.WriteLine($"reads: {reads}, failed {readFailures}; writes acknowledged {acknowledged.Count}, lost {missing}");
        }
        finally
        {
            await postgres.DisposeAsync();
        }
    }
}
