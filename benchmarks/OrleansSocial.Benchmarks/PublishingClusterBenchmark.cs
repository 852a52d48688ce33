using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using OrleansSocial.GraphEmulator;
using OrleansSocial.Testing;

namespace OrleansSocial.Benchmarks;

/// <summary>
/// The publishing benchmark on two silo processes in cluster mode (a throwaway PostgreSQL for Orleans
/// and the tenant databases, the emulator in this process), with one silo SIGKILLed two seconds after
/// the due time. Shipped settings for membership and reminders: what a crash costs in production.
/// </summary>
internal static class PublishingClusterBenchmark
{
    public static async Task RunAsync(BenchmarkOptions options)
    {
        Console.WriteLine($"publishing on two silos, one killed 2 s after the due time: {options.Tenants} tenants x {options.Posts} posts, concurrency {options.Concurrency}");
        await using var postgres = new PostgresServer();
        await postgres.InitializeAsync();
        await using (var connection = new NpgsqlConnection(postgres.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE DATABASE orleans_cluster", connection);
            await create.ExecuteNonQueryAsync();
        }

        await using var emulator = await EmulatorHost.StartAsync(o =>
        {
            o.Users = options.Tenants;
            o.PagesPerUser = 1;
        });
        using var data = new TempFolder("bench-publishing-cluster");
        var settings = new Dictionary<string, string>
        {
            ["Operator:ApiKey"] = BenchHost.OperatorKey,
            ["Secrets:TokenKeys"] = "k1:" + Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray()),
            ["Orleans:Mode"] = "postgres",
            ["Orleans:Postgres"] = postgres.ConnectionStringFor("orleans_cluster"),
            ["Orleans:ClusterId"] = "bench-publishing",
            ["Orleans:AdvertisedAddress"] = "127.0.0.1",
            ["Storage:Engine"] = "postgres",
            ["Storage:Postgres"] = postgres.ConnectionStringFor("social_catalog"),
            ["Graph:BaseUrl"] = emulator.BaseUrl.ToString().TrimEnd('/'),
            ["Graph:AppId"] = emulator.State.Options.AppId,
            ["Graph:AppSecret"] = emulator.State.Options.AppSecret,
            ["Sync:InitialSyncWindow"] = "1.00:00:00",
            // Two silos under the throwaway server's 300 connections: 24 pools of 4 each, plus Orleans'.
            ["Storage:MaxOpenDatabases"] = "24",
            ["Storage:MaxPoolSizePerDatabase"] = "4",
        };
        await using var survivor = SiloProcess.Start(Path.Combine(data.Path, "silo0"), settings, logLevels: true);
        await using var victim = SiloProcess.Start(Path.Combine(data.Path, "silo1"), settings, logLevels: true);
        await Task.WhenAll(survivor.WaitReadyAsync(TimeSpan.FromMinutes(2)), victim.WaitReadyAsync(TimeSpan.FromMinutes(2)));
        var silos = new[] { survivor.Http, victim.Http };

        var world = JsonDocument.Parse(await new HttpClient { BaseAddress = emulator.BaseUrl }.GetStringAsync($"/__emulator/world?users={options.Tenants}")).RootElement;
        var userTokens = world.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("shortLivedToken").GetString()!).ToList();
        var watch = Stopwatch.StartNew();
        var tenants = await BenchApi.ForEachAsync(Enumerable.Range(0, options.Tenants).ToList(), options.Concurrency, async i =>
        {
            var http = silos[i % 2];
            var tenant = await BenchApi.CreateTenantAsync(http, $"pc-t{i:D5}");
            using var connect = BenchApi.TenantRequest(HttpMethod.Post, "/api/channels/facebook", tenant, new { userAccessToken = userTokens[i] });
            using var connected = await http.SendAsync(connect);
            connected.EnsureSuccessStatusCode();
            return (tenant, channel: (await connected.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().First().GetProperty("channelId").GetString()!);
        });
        Console.WriteLine($"setup: {options.Tenants} tenants (PostgreSQL databases) with a Page each in {watch.Elapsed.TotalSeconds:F1} s");

        var posts = tenants.SelectMany(t => Enumerable.Range(0, options.Posts).Select(k => (t.tenant, t.channel, k))).ToList();

        // A pilot of drafts (never published) measures how fast posts are written, so every real one is in before its due time.
        watch.Restart();
        var pilot = posts.Take(Math.Min(posts.Count, options.Concurrency * 8)).ToList();
        await BenchApi.ForEachAsync(pilot, options.Concurrency, async p =>
        {
            using var request = BenchApi.TenantRequest(HttpMethod.Post, "/api/posts", p.tenant, new { channelIds = new[] { p.channel }, text = $"pilot draft {p.k}" });
            using var response = await silos[p.k % 2].SendAsync(request);
            response.EnsureSuccessStatusCode();
            return 0;
        });
        var perSecond = pilot.Count / watch.Elapsed.TotalSeconds;
        watch.Restart();
        var due = DateTimeOffset.UtcNow.AddSeconds(15 + (posts.Count / perSecond * 1.5));
        var ids = await BenchApi.ForEachAsync(posts, options.Concurrency, async p =>
        {
            using var request = BenchApi.TenantRequest(HttpMethod.Post, "/api/posts", p.tenant, new { channelIds = new[] { p.channel }, text = $"{p.tenant.Id} post {p.k}", scheduledAt = due });
            using var response = await silos[p.k % 2].SendAsync(request);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}\n{(p.k % 2 == 0 ? survivor : victim).Output[^Math.Min(4000, (p.k % 2 == 0 ? survivor : victim).Output.Length)..]}");
            }

            return (p.tenant, id: (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("postId").GetString()!);
        });
        Console.WriteLine($"scheduled {ids.Count} posts in {watch.Elapsed.TotalSeconds:F1} s; due {(due - DateTimeOffset.UtcNow).TotalSeconds:F0} s later");

        while (DateTimeOffset.UtcNow < due.AddSeconds(2))
        {
            await Task.Delay(100);
        }

        var landedAtKill = emulator.State.Publications.Count;
        victim.Kill();
        Console.WriteLine($"killed silo 1 at due + 2 s; {landedAtKill} of {ids.Count} posts had landed");

        var (lateness, failed) = await PublishingBenchmark.SettleAsync(survivor.Http, ids, due, options.Concurrency);
        var settled = DateTimeOffset.UtcNow - due;
        var landed = emulator.State.Publications.Select(p => (p.OwnerId, p.Message)).ToList();
        Console.WriteLine($"all {ids.Count} settled {settled.TotalSeconds:F1} s after the due time: {lateness.Count} published, {failed} failed or cancelled");
        if (lateness.Count > 0)
        {
            Console.WriteLine($"  lateness after scheduledAt: p50 {PublishingBenchmark.Percentile(lateness, 0.50):F2} s, p99 {PublishingBenchmark.Percentile(lateness, 0.99):F2} s, max {lateness[^1]:F2} s");
        }

        Console.WriteLine($"  posts on the emulator: {landed.Count}; duplicates: {landed.Count - landed.Distinct().Count()}");
        Console.WriteLine($"  adopted after an unknown outcome (survivor's log): {CountOf(survivor.Output, "(adopted: True)")}");
    }

    private static int CountOf(string text, string what)
    {
        var count = 0;
        for (var at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + what.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
