using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansSocial.Api.Apis;
using OrleansSocial.Testing;

namespace OrleansSocial.Benchmarks;

/// <summary>
/// Provisioning throughput (tenants/s) on SQLite and PostgreSQL through POST /admin/tenants,
/// and authorised GET /api/tenant requests/s beside a baseline route that returns the same
/// JSON without tenant resolution or a grain call. Load comes from this process over loopback.
/// </summary>
internal static class TenancyBenchmark
{
    public static async Task RunAsync(BenchmarkOptions options)
    {
        Console.WriteLine($"tenancy benchmark: {options.Tenants} tenants, concurrency {options.Concurrency}, {options.Seconds} s per request mix");

        using (var sqliteData = new TempFolder("bench-sqlite"))
        {
            await using var host = await BenchHost.StartAsync(sqliteData.Path, new Dictionary<string, string?>());
            var sqliteRate = await ProvisionAsync(host, options, "sqlite");
            Console.WriteLine($"provisioning, sqlite:     {sqliteRate,10:F1} tenants/s");
            await MeasureAuthorisationAsync(host, options);
        }

        var postgres = new PostgresServer();
        await postgres.InitializeAsync();
        try
        {
            using var pgData = new TempFolder("bench-pg");
            await using var host = await BenchHost.StartAsync(pgData.Path, new Dictionary<string, string?>
            {
                ["Storage:Engine"] = "postgres",
                ["Storage:Postgres"] = postgres.ConnectionStringFor("bench_catalog"),
            });
            var pgRate = await ProvisionAsync(host, options, "postgres");
            Console.WriteLine($"provisioning, postgres:   {pgRate,10:F1} tenants/s");
        }
        finally
        {
            await postgres.DisposeAsync();
        }
    }

    private static async Task<double> ProvisionAsync(BenchHost host, BenchmarkOptions options, string engine)
    {
        var next = -1;
        var failures = 0;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < options.Tenants)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/tenants")
                {
                    Content = JsonContent.Create(new { id = $"{engine}-t{i:D5}", name = $"Tenant {i}", plan = "enterprise", ownerEmail = $"owner{i}@bench.test" }),
                };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", BenchHost.OperatorKey);
                using var response = await host.Client.SendAsync(request);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }));
        watch.Stop();
        if (failures > 0)
        {
            Console.WriteLine($"  {failures} of {options.Tenants} provisioning calls failed");
        }

        return options.Tenants / watch.Elapsed.TotalSeconds;
    }

    private static async Task MeasureAuthorisationAsync(BenchHost host, BenchmarkOptions options)
    {
        using var create = new HttpRequestMessage(HttpMethod.Post, "/admin/tenants")
        {
            Content = JsonContent.Create(new { id = "bench-reader", name = "Reader", plan = "enterprise", ownerEmail = "owner@reader.test" }),
        };
        create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", BenchHost.OperatorKey);
        using var created = await host.Client.SendAsync(create);
        var key = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ownerApiKey").GetString()!;
        // The plan's request rate would otherwise be what this measures.
        using var unlimited = new HttpRequestMessage(HttpMethod.Patch, "/admin/tenants/bench-reader")
        {
            Content = JsonContent.Create(new { limits = new { apiRequestsPerMinute = int.MaxValue } }),
        };
        unlimited.Headers.Authorization = new AuthenticationHeaderValue("Bearer", BenchHost.OperatorKey);
        (await host.Client.SendAsync(unlimited)).EnsureSuccessStatusCode();

        HttpRequestMessage Authorised()
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/api/tenant");
            request.Headers.Add("x-tenant-id", "bench-reader");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            return request;
        }

        using (var first = await host.Client.SendAsync(Authorised()))
        {
            BenchHost.BaselineBody = await first.Content.ReadFromJsonAsync<TenantApi.TenantResponse>(new JsonSerializerOptions(JsonSerializerDefaults.Web)
            {
                Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
            });
        }

        var baselineJson = await host.Client.GetStringAsync(BenchHost.BaselinePath);
        using var check = await host.Client.SendAsync(Authorised());
        if (baselineJson != await check.Content.ReadAsStringAsync())
        {
            throw new InvalidOperationException("The baseline route must answer the same JSON as GET /api/tenant.");
        }

        // Both paths warm until the JIT has tiered them up (a 2-s warm-up once measured the
        // authorised path at a third of its steady rate), then alternate rounds so neither is
        // measured on a warmer process than the other; the figure is the median round.
        HttpRequestMessage Baseline() => new(HttpMethod.Get, BenchHost.BaselinePath);
        for (var warm = 0; warm < 3; warm++)
        {
            await LoadGenerator.RunAsync(host.Client, Authorised, TimeSpan.FromSeconds(4), options.Concurrency);
            await LoadGenerator.RunAsync(host.Client, Baseline, TimeSpan.FromSeconds(4), options.Concurrency);
        }

        var rounds = new List<(LoadResult Authorised, LoadResult Baseline)>();
        for (var round = 0; round < 5; round++)
        {
            rounds.Add((await LoadGenerator.RunAsync(host.Client, Authorised, TimeSpan.FromSeconds(options.Seconds), options.Concurrency),
                await LoadGenerator.RunAsync(host.Client, Baseline, TimeSpan.FromSeconds(options.Seconds), options.Concurrency)));
            Console.WriteLine($"  round {round + 1}: authorised {rounds[^1].Authorised.Rate:F0} req/s, baseline {rounds[^1].Baseline.Rate:F0} req/s, ratio {rounds[^1].Authorised.Rate / rounds[^1].Baseline.Rate:P1}");
        }

        var (authorised, baseline) = rounds.OrderBy(r => r.Authorised.Rate / r.Baseline.Rate).ElementAt(2);
        Console.WriteLine($"GET /api/tenant (authorised, grain): {authorised.Rate,10:F0} req/s  p50 {authorised.P50:F2} ms  p99 {authorised.P99:F2} ms  errors {authorised.Errors}");
        Console.WriteLine($"GET {BenchHost.BaselinePath} (same JSON, no grain):  {baseline.Rate,10:F0} req/s  p50 {baseline.P50:F2} ms  p99 {baseline.P99:F2} ms  errors {baseline.Errors}");
        Console.WriteLine($"ratio authorised / baseline: {authorised.Rate / baseline.Rate:P1}");
    }
}
