using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OrleansSocial.Testing;

namespace OrleansSocial.Benchmarks;

/// <summary>
/// N events (webhook.test, each one a state change through the API) to one endpoint on a local
/// receiver: deliveries per second and the time from the event to its delivery (p50, p99); then the
/// same with a receiver that fails every other request: all delivered in the end, the duplicates the
/// receiver saw, none lost. One silo on the embedded defaults; retries every second in this run. The
/// failing receiver fails a random half of its requests (seeded): one that failed every other request
/// in lockstep kept failing the same deliveries eleven times in a row and disabled the endpoint.
/// </summary>
internal static class WebhookBenchmark
{
    public static async Task RunAsync(BenchmarkOptions options)
    {
        var events = options.Tenants;
        Console.WriteLine($"webhook benchmark: {events} events to one endpoint, concurrency {options.Concurrency}");
        using var data = new TempFolder("bench-webhooks");
        var settings = new Dictionary<string, string?>
        {
            ["Webhooks:AllowPrivateNetworks"] = "true",
            ["Sync:InitialSyncWindow"] = "1.00:00:00",
        };
        for (var i = 0; i < 10; i++)
        {
            settings[$"Webhooks:RetryDelays:{i}"] = "00:00:01";
        }

        await using var host = await BenchHost.StartAsync(data.Path, settings);
        await using var receiver = await Receiver.StartAsync();
        foreach (var failHalf in new[] { false, true })
        {
            receiver.FailHalf = failHalf;
            var tenant = await BenchApi.CreateTenantAsync(host.Client, $"wh-{(failHalf ? "half" : "ok")}");
            await BenchApi.UnlimitedAsync(host.Client, tenant.Id);
            using var register = BenchApi.TenantRequest(HttpMethod.Post, "/api/webhooks", tenant, new { url = receiver.Url($"/{tenant.Id}"), events = new[] { "post.published" } });
            using var registered = await host.Client.SendAsync(register);
            registered.EnsureSuccessStatusCode();
            var webhookId = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("webhook").GetProperty("webhookId").GetString();

            var watch = Stopwatch.StartNew();
            await BenchApi.ForEachAsync(Enumerable.Range(0, events).ToList(), options.Concurrency, async _ =>
            {
                using var test = BenchApi.TenantRequest(HttpMethod.Post, $"/api/webhooks/{webhookId}/test", tenant, null);
                using var response = await host.Client.SendAsync(test);
                response.EnsureSuccessStatusCode();
                return 0;
            });
            var raised = watch.Elapsed;
            var deadline = DateTime.UtcNow.AddMinutes(30);
            // Settled: every event delivered, or the receiver quiet for 3 s and the delivery log with none
            // pending (read only then: reading 10,000 log entries would load the host it measures).
            while (receiver.Delivered($"/{tenant.Id}") < events && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
                if (DateTimeOffset.UtcNow - receiver.LastRequestAt > TimeSpan.FromSeconds(3)
                    && !(await DeliveriesAsync(host.Client, tenant, webhookId!)).Any(d => d.Status == "pending"))
                {
                    break;
                }
            }

            var wall = watch.Elapsed;
            var exhausted = await RedeliverFailedAsync(host.Client, tenant, webhookId!);
            while (receiver.Delivered($"/{tenant.Id}") < events && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }

            var (delivered, requests, duplicates, latencies) = receiver.Report($"/{tenant.Id}");
            Console.WriteLine(failHalf ? "receiver failing a random half of its requests (HTTP 503):" : "receiver answering 200:");
            Console.WriteLine($"  {events} events raised in {raised.TotalSeconds:F1} s; all retries settled after {wall.TotalSeconds:F1} s: {(delivered - exhausted) / wall.TotalSeconds:F0} deliveries/s");
            Console.WriteLine($"  {exhausted} deliveries used up their 11 attempts (failed in the log) and were redelivered by hand; in the end {delivered} delivered, lost: {events - delivered}");
            Console.WriteLine($"  requests the receiver saw: {requests}; event ids it saw more than once: {duplicates}");
            Console.WriteLine($"  time from the event to its delivery: p50 {Percentile(latencies, 0.5):F2} s, p99 {Percentile(latencies, 0.99):F2} s, max {latencies[^1]:F2} s");
        }
    }

    /// <summary>What an operator does for deliveries that used up their retries: redeliver them. Returns how many there were.</summary>
    private static async Task<int> RedeliverFailedAsync(HttpClient http, (string Id, string Key) tenant, string webhookId)
    {
        var failed = (await DeliveriesAsync(http, tenant, webhookId)).Where(d => d.Status == "failed").Select(d => d.Id).ToList();
        foreach (var id in failed)
        {
            using var again = BenchApi.TenantRequest(HttpMethod.Post, $"/api/webhooks/{webhookId}/deliveries/{id}/redeliver", tenant, null);
            (await http.SendAsync(again)).EnsureSuccessStatusCode();
        }

        return failed.Count;
    }

    private static async Task<List<(string Id, string Status)>> DeliveriesAsync(HttpClient http, (string Id, string Key) tenant, string webhookId)
    {
        var all = new List<(string, string)>();
        string? cursor = null;
        do
        {
            using var list = BenchApi.TenantRequest(HttpMethod.Get, $"/api/webhooks/{webhookId}/deliveries?limit=100{(cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))}", tenant, null);
            using var page = await http.SendAsync(list);
            var body = await page.Content.ReadFromJsonAsync<JsonElement>();
            all.AddRange(body.GetProperty("items").EnumerateArray().Select(d => (d.GetProperty("deliveryId").GetString()!, d.GetProperty("status").GetString()!)));
            cursor = body.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        return all;
    }

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    /// <summary>Records every request's event id, and when each was first answered 200, against the event's own timestamp.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, (int Seen, double? Latency)>> _paths = new();
        private long _requests;

        private Receiver(WebApplication app) => _app = app;

        private readonly Random _random = new(7);

        public bool FailHalf { get; set; }

        public DateTimeOffset LastRequestAt { get; private set; } = DateTimeOffset.UtcNow;

        public static async Task<Receiver> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            var app = builder.Build();
            var receiver = new Receiver(app);
            app.Run(receiver.HandleAsync);
            await app.StartAsync();
            return receiver;
        }

        public string Url(string path) => _app.Urls.First() + path;

        public int Delivered(string path) => _paths.TryGetValue(path, out var seen) ? seen.Values.Count(v => v.Latency is not null) : 0;

        public (int Delivered, long Requests, int Duplicates, List<double> Latencies) Report(string path)
        {
            var seen = _paths.GetOrAdd(path, _ => new());
            var latencies = seen.Values.Where(v => v.Latency is not null).Select(v => v.Latency!.Value).Order().ToList();
            return (latencies.Count, seen.Values.Sum(v => (long)v.Seen), seen.Values.Count(v => v.Seen > 1), latencies);
        }

        private async Task HandleAsync(HttpContext context)
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body);
            var id = context.Request.Headers["webhook-id"].ToString();
            var raisedAt = DateTimeOffset.Parse(document.RootElement.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture);
            Interlocked.Increment(ref _requests);
            LastRequestAt = DateTimeOffset.UtcNow;
            bool fail;
            lock (_random)
            {
                fail = FailHalf && _random.Next(2) == 0;
            }

            var seen = _paths.GetOrAdd(context.Request.Path.Value!, _ => new());
            seen.AddOrUpdate(id,
                _ => (1, fail ? null : (DateTimeOffset.UtcNow - raisedAt).TotalSeconds),
                (_, was) => (was.Seen + 1, was.Latency ?? (fail ? null : (DateTimeOffset.UtcNow - raisedAt).TotalSeconds)));
            context.Response.StatusCode = fail ? 503 : 200;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
