using System.Diagnostics;
using System.Net;
using OrleansSocial.Testing;

namespace OrleansSocial.Benchmarks;

/// <summary>
/// How long a SIGKILLed silo's tenants are unreachable: two silo processes with the shipped settings
/// (or the membership settings given with --probe), tenants whose grains live on both, one silo
/// killed; per round the time until the membership table declares it dead and until every tenant
/// answers through the survivor. The killed silo is replaced before the next round. With a load,
/// that many workers keep reading and writing tenants through every live silo the whole time, so
/// the probes, the votes and the takeover compete with requests for the two cores.
/// </summary>
internal static class FailoverBenchmark
{
    public static async Task RunAsync(BenchmarkOptions options, string? probeTimeout, int load, IReadOnlyDictionary<string, string> membership)
    {
        var extra = new Dictionary<string, string>(membership);
        if (probeTimeout is not null)
        {
            extra["Orleans:Membership:ProbeTimeout"] = probeTimeout;
        }

        Console.WriteLine($"failover: two silos, {options.Tenants} tenants, {options.Seconds} rounds, membership {(extra.Count == 0 ? "as shipped" : string.Join(", ", extra.Select(e => $"{e.Key}={e.Value}")))}, load {(load == 0 ? "none" : $"{load} workers")}");
        await using var cluster = await BenchCluster.StartAsync("bench-failover", 300, users: 1);
        var settings = cluster.Settings(extra);
        var survivor = cluster.StartSilo(settings);
        var victim = cluster.StartSilo(settings);
        await Task.WhenAll(survivor.WaitReadyAsync(TimeSpan.FromMinutes(2)), victim.WaitReadyAsync(TimeSpan.FromMinutes(2)));
        await using var traffic = new FailoverLoad(load);
        var killed = new List<SiloProcess>();
        var declared = new List<double>();
        var answered = new List<double>();
        for (var round = 0; round < options.Seconds; round++)
        {
            // Tenants created and read through both silos: their grains are spread over the two.
            var tenants = await BenchApi.ForEachAsync(Enumerable.Range(0, options.Tenants).ToList(), options.Concurrency, async i =>
            {
                var http = i % 2 == 0 ? survivor.Http : victim.Http;
                var tenant = await BenchApi.CreateTenantAsync(http, $"fo-r{round}-t{i:D4}");
                using var read = BenchApi.TenantRequest(HttpMethod.Get, "/api/tenant", tenant, null);
                (await http.SendAsync(read)).EnsureSuccessStatusCode();
                return tenant;
            });

            traffic.Aim([survivor, victim], load == 0 ? [] : tenants);
            if (load > 0)
            {
                // Long enough for the load to reach its steady rate (and the JIT its tiers) before the kill.
                await Task.Delay(TimeSpan.FromSeconds(15));
                var (rate, refusedBefore, failedBefore) = traffic.Take();
                Console.WriteLine($"round {round + 1}: load before the kill {rate:F0} answers/s ({refusedBefore} refused, {failedBefore} failed)");
            }

            victim.Kill();
            traffic.Aim([survivor], load == 0 ? [] : tenants);
            killed.Add(victim);
            var watch = Stopwatch.StartNew();
            var dead = Task.Run(async () =>
            {
                while (!await cluster.IsDeclaredDeadAsync(victim.SiloPort))
                {
                    await Task.Delay(50);
                }

                return watch.Elapsed.TotalSeconds;
            });
            var times = await BenchApi.ForEachAsync(tenants, tenants.Count, async tenant =>
            {
                while (true)
                {
                    using var read = BenchApi.TenantRequest(HttpMethod.Get, "/api/tenant", tenant, null);
                    try
                    {
                        using var response = await survivor.Http.SendAsync(read);
                        if (response.StatusCode == HttpStatusCode.OK)
                        {
                            return watch.Elapsed.TotalSeconds;
                        }
                    }
                    catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                    {
                        // The survivor's own timeout while it still waits for the dead silo: ask again.
                    }

                    await Task.Delay(50);
                }
            });
            declared.Add(await dead);
            answered.Add(times.Max());
            var (during, refused, failed) = traffic.Take();
            Console.WriteLine($"round {round + 1}: declared dead after {declared[^1]:F1} s; every tenant answered through the survivor after {answered[^1]:F1} s (median tenant {times.Order().ElementAt(times.Count / 2):F1} s)" +
                (load == 0 ? "" : $"; load meanwhile {during:F0} answers/s through the survivor, {refused} refused with 503, {failed} other failures"));

            victim = cluster.StartSilo(settings);
            await victim.WaitReadyAsync(TimeSpan.FromMinutes(2));
            traffic.Aim([survivor, victim], []);
        }

        Console.WriteLine($"declared dead: mean {declared.Average():F1} s, max {declared.Max():F1} s; all tenants answering: mean {answered.Average():F1} s, max {answered.Max():F1} s");
        var (suspicions, falselyDead) = await cluster.FalseSuspicionsAsync(killed);
        Console.WriteLine($"suspicions of silos nobody killed: {suspicions}; such silos declared dead: {falselyDead}");
    }
}
