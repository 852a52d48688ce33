using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansSocial.Grains.Inbox;
using OrleansSocial.Inbox;
using OrleansSocial.ReadModels;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Naming;
using OrleansSocial.Testing;

namespace OrleansSocial.Benchmarks;

/// <summary>
/// Meta's webhooks at volume. The benchmark plays Meta: <c>--tenants</c> comment events (default
/// 10,000) on the demo user's two Pages, signed, in POSTs of up to 100 changes, <c>--concurrency</c>
/// POSTs at a time, every tenth POST sent twice (Meta duplicates), and any POST not answered 200
/// sent again (Meta retries). Measured: events accepted per second, p50/p99 time to our 200, p50/p99
/// time until a POST's last event is visible in the inbox, lost and duplicated conversations. First
/// on one embedded silo, then on two cluster-mode silos (PostgreSQL) with one SIGKILLed halfway, the
/// POSTs spread over both fronts (a load balancer's view: a POST to the dead one goes to the other).
/// Last, an inbox page's p50/p99 in a tenant holding 100,000 conversations.
/// </summary>
internal static class InboxBenchmark
{
    private const string VerifyToken = "bench-verify-token-0123456789";
    private const string Burst = "100";
    private static readonly string[] Pages = ["100000000000000", "100000000000001"];

    public static async Task RunAsync(BenchmarkOptions options, bool skipCluster)
    {
        var events = options.Tenants;
        var concurrency = options.Concurrency;
        Console.WriteLine($"inbox: {events:N0} comment events in POSTs of {Burst}, {concurrency} POSTs at a time, every tenth POST sent twice");
        using (var data = new TempFolder("bench-inbox"))
        {
            await using var host = await BenchHost.StartAsync(data.Path, new Dictionary<string, string?> { ["Graph:WebhookVerifyToken"] = VerifyToken });
            var tenant = await ConnectedTenantAsync(host.Client, "inbox-one");
            Console.WriteLine("one silo (embedded SQLite):");
            await DeliverAsync([host.Client], tenant, events, concurrency, "emulator-app-secret", killHalfway: null);

            var big = await BenchApi.CreateTenantAsync(host.Client, "inbox-big");
            await BenchApi.UnlimitedAsync(host.Client, big.Id);
            var watch = Stopwatch.StartNew();
            await SeedAsync(host.Services.GetRequiredService<IDocumentStore>(), big.Id, 100_000);
            Console.WriteLine($"seeded 100,000 conversations in {watch.Elapsed.TotalSeconds:F1} s");
            foreach (var query in new[] { "?limit=25", "?limit=25&status=open", "?limit=25&channelId=fb-100000000000001", "?limit=100" })
            {
                var latencies = await ReadAsync(host.Client, big, query, 200);
                Console.WriteLine($"  inbox page {query,-40} p50 {Percentile(latencies, 0.5),6:F2} ms  p99 {Percentile(latencies, 0.99),6:F2} ms");
            }
        }

        if (skipCluster)
        {
            return;
        }

        await using var cluster = await BenchCluster.StartAsync("bench-inbox", 400, users: 1, pagesPerUser: 2);
        var settings = cluster.Settings(new Dictionary<string, string> { ["Graph:WebhookVerifyToken"] = VerifyToken });
        var silos = new[] { cluster.StartSilo(settings), cluster.StartSilo(settings) };
        foreach (var silo in silos)
        {
            await silo.WaitReadyAsync(TimeSpan.FromMinutes(2));
        }

        var clusterTenant = await ConnectedTenantAsync(silos[0].Http, "inbox-two");
        Console.WriteLine("two silos (cluster mode, PostgreSQL), the second SIGKILLed halfway:");
        await DeliverAsync([silos[0].Http, silos[1].Http], clusterTenant, events, concurrency, cluster.Emulator.State.Options.AppSecret, killHalfway: silos[1]);
    }

    private static async Task<(string Id, string Key)> ConnectedTenantAsync(HttpClient http, string id)
    {
        var tenant = await BenchApi.CreateTenantAsync(http, id);
        await BenchApi.UnlimitedAsync(http, tenant.Id);
        using var connect = BenchApi.TenantRequest(HttpMethod.Post, "/api/channels/facebook", tenant, new { userAccessToken = GraphEmulator.World.TokenStore.DemoUserToken });
        using var connected = await http.SendAsync(connect);
        connected.EnsureSuccessStatusCode();
        return tenant;
    }

    private static async Task DeliverAsync(HttpClient[] fronts, (string Id, string Key) tenant, int events, int concurrency, string secret, SiloProcess? killHalfway)
    {
        var run = RandomNumberGenerator.GetInt32(1_000_000, 9_999_999);
        var bursts = Enumerable.Range(0, (events + 99) / 100).Select(b => Body(run, b, Math.Min(100, events - (b * 100)))).ToList();
        var sends = bursts.SelectMany((body, b) => b % 10 == 0 ? new[] { (b, body), (b, body) } : [(b, body)]).ToList();
        var ack = new ConcurrentBag<double>();
        var visible = new ConcurrentBag<double>();
        var retries = 0;
        var dead = new ConcurrentDictionary<int, bool>();
        var sent = 0;
        var watchers = new ConcurrentBag<Task>();
        var watch = Stopwatch.StartNew();
        await BenchApi.ForEachAsync(sends, concurrency, async send =>
        {
            if (killHalfway is not null && Interlocked.Increment(ref sent) == sends.Count / 2)
            {
                killHalfway.Kill();
                dead[1] = true;
                Console.WriteLine($"  killed the second silo after {watch.Elapsed.TotalSeconds:F1} s");
            }

            var started = watch.Elapsed;
            for (var attempt = 0; ; attempt++)
            {
                var front = fronts.Length == 1 || (send.b + attempt) % 2 == 0 || dead.ContainsKey(1) ? 0 : 1;
                try
                {
                    using var request = Signed(send.body, secret);
                    using var response = await fronts[front].SendAsync(request);
                    if (response.IsSuccessStatusCode)
                    {
                        break;
                    }
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                {
                    // The front died under the request: Meta sends it again.
                }

                Interlocked.Increment(ref retries);
                await Task.Delay(200);
            }

            ack.Add((watch.Elapsed - started).TotalMilliseconds);
            watchers.Add(WatchAsync(send.b, started));
            return 0;
        });
        var posting = watch.Elapsed;
        await Task.WhenAll(watchers);

        // Meta does not wait for our routing: a POST's last event is watched beside the next POSTs.
        async Task WatchAsync(int b, TimeSpan started)
        {
            var index = (b * 100) + Math.Min(99, events - (b * 100) - 1);
            var last = $"fb-{Pages[index % 2]}.{PostPart(b)}_{run}{index:D6}";
            var until = Stopwatch.StartNew();
            while (until.Elapsed < TimeSpan.FromMinutes(2))
            {
                using var read = BenchApi.TenantRequest(HttpMethod.Get, $"/api/inbox/{last}", tenant, null);
                try
                {
                    using var answer = await fronts[0].SendAsync(read);
                    if (answer.IsSuccessStatusCode)
                    {
                        visible.Add((watch.Elapsed - started).TotalMilliseconds);
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                }

                await Task.Delay(20);
            }
        }

        var (found, items) = await CountAsync(fronts[0], tenant, run, events);
        var acks = ack.Order().ToList();
        var shown = visible.Order().ToList();
        Console.WriteLine($"  {events:N0} events in {sends.Count} POSTs ({bursts.Count} distinct) in {posting.TotalSeconds:F1} s: {events / posting.TotalSeconds:F0} events/s accepted; {retries} POSTs sent again after no 200");
        Console.WriteLine($"  time to our 200: p50 {Percentile(acks, 0.5):F1} ms, p99 {Percentile(acks, 0.99):F1} ms (retries included)");
        Console.WriteLine($"  time until a POST's last event is in the inbox: p50 {Percentile(shown, 0.5):F1} ms, p99 {Percentile(shown, 0.99):F1} ms ({shown.Count} of {sends.Count} seen)");
        Console.WriteLine($"  lost: {events - found} (goal 0), duplicates: {items - found} (goal 0)");
    }

    /// <summary>Every conversation of this run in the tenant's inbox, by paging it: (distinct ones, list items).</summary>
    private static async Task<(int Found, int Items)> CountAsync(HttpClient http, (string Id, string Key) tenant, int run, int expected)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var ids = new List<string>();
            string? cursor = null;
            do
            {
                using var request = BenchApi.TenantRequest(HttpMethod.Get, "/api/inbox?limit=100" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)), tenant, null);
                using var response = await http.SendAsync(request);
                response.EnsureSuccessStatusCode();
                var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                ids.AddRange(page.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("commentId").GetString()!).Where(c => c.Contains($"_{run}", StringComparison.Ordinal)));
                cursor = page.GetProperty("nextCursor").GetString();
            }
            while (cursor is not null);
            var distinct = ids.Distinct().Count();
            if (distinct >= expected || deadline.Elapsed > TimeSpan.FromMinutes(2))
            {
                return (distinct, ids.Count);
            }

            await Task.Delay(500);
        }
    }

    private static string PostPart(int burst) => (200_000_000_000_000L + (burst % 50)).ToString(CultureInfo.InvariantCulture);

    /// <summary>One POST: up to 100 new top-level comments, one entry per Page, as Meta writes them.</summary>
    private static byte[] Body(int run, int burst, int count)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var entries = Enumerable.Range(0, count).GroupBy(i => Pages[(burst * 100 + i) % 2]).Select(page => new
        {
            id = page.Key,
            time = now,
            changes = page.Select(i =>
            {
                var post = $"{page.Key}_{PostPart(burst)}";
                return new
                {
                    field = "feed",
                    value = new
                    {
                        item = "comment", verb = "add", comment_id = $"{PostPart(burst)}_{run}{(burst * 100) + i:D6}", post_id = post, parent_id = post,
                        from = new { id = "6000000000000001", name = "Benchmark Fan" }, message = $"comment {i} of burst {burst}", created_time = now,
                    },
                };
            }).ToArray(),
        });
        return JsonSerializer.SerializeToUtf8Bytes(new { @object = "page", entry = entries.ToArray() });
    }

    private static HttpRequestMessage Signed(byte[] body, string secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/meta") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-Hub-Signature-256", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body)));
        return request;
    }

    /// <summary>Conversations as the conversation grain stores them, straight into the tenant's database.</summary>
    private static async Task SeedAsync(IDocumentStore store, string tenantId, int count)
    {
        var conversations = store.GetDatabase(StorageNames.TenantDatabase(tenantId)).GetCollection(Collections.Conversations);
        var start = DateTimeOffset.UtcNow.AddDays(-30);
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var channel = $"fb-10000000000000{i % 2}";
                var comment = $"{200_000_000_000_000L + (i % 500)}_{300_000_000_000L + i}";
                var at = start.AddSeconds(i * 25.0);
                var doc = new ConversationDocument(ConversationIds.For(channel, comment), channel, "facebook", channel[3..],
                    new ConversationPost($"{channel[3..]}_{200_000_000_000_000L + (i % 500)}", null, "A post of the benchmark"), comment,
                    new CommentAuthorView("6000000000000001", "Benchmark Fan"), $"comment {i}: {new string('x', 200)}", at, false, false,
                    i % 3 == 0 ? ConversationStatuses.Done : ConversationStatuses.Open, i % 7 == 0 ? "m1" : null, at,
                    [new ReplyRecord($"r-{i}", $"{comment}9", new CommentAuthorView("6000000000000002", "Another Fan"), "me too", at, false, null, null, null)],
                    StoredTime.Of(at));
                await conversations.UpsertAsync(doc.ConversationId, DocumentJson.ToJson(doc), CancellationToken.None);
            }
        }));
    }

    private static async Task<List<double>> ReadAsync(HttpClient http, (string Id, string Key) tenant, string query, int count)
    {
        var latencies = new List<double>();
        for (var i = 0; i < count; i++)
        {
            using var request = BenchApi.TenantRequest(HttpMethod.Get, "/api/inbox" + query, tenant, null);
            var watch = Stopwatch.StartNew();
            using var response = await http.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
            watch.Stop();
            response.EnsureSuccessStatusCode();
            latencies.Add(watch.Elapsed.TotalMilliseconds);
        }

        return [.. latencies.Order()];
    }

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
