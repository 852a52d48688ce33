using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
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
        // Database per tenant: a silo wants a pool for every tenant it is publishing for at once, or every
        // step reconnects (a PostgreSQL connection belongs to one database). Each silo may keep every
        // tenant's pool of one connection, and the server is given room for that; the peak actually
        // used is measured below.
        // On the schema tier (--isolation schema) one pool per shared database serves every tenant: two
        // connections per silo, the server's two cores shared by two silos (each connection's server process
        // caches the catalog of every schema it touches: 16 connections published 165 posts/s, 2 about 270).
        // Comments are not polled during the measurement (every channel's first poll came 5 minutes after
        // its connection, inside or outside the window by chance), nor are first syncs.
        var schemas = options.Isolation == "schema";
        var poolsPerSilo = options.Tenants + 16;
        await using var cluster = await BenchCluster.StartAsync("bench-publishing", schemas ? 200 : (2 * poolsPerSilo) + 100, options.Tenants);
        var emulator = cluster.Emulator;
        var settings = cluster.Settings(schemas
            ? new Dictionary<string, string>
            {
                ["Sync:InitialSyncWindow"] = "1.00:00:00",
                ["Sync:CommentPollPeriod"] = "1.00:00:00",
                ["Storage:MaxPoolSizePerSharedDatabase"] = "2",
            }
            : new Dictionary<string, string>
            {
                ["Sync:InitialSyncWindow"] = "1.00:00:00",
                ["Sync:CommentPollPeriod"] = "1.00:00:00",
                ["Storage:MaxOpenDatabases"] = poolsPerSilo.ToString(CultureInfo.InvariantCulture),
                ["Storage:MaxPoolSizePerDatabase"] = "1",
            });
        var survivor = cluster.StartSilo(settings);
        var victim = cluster.StartSilo(settings);
        var adopted = 0;
        // How much of the survivor's work the death took away with the directory entries the victim held: the
        // dead silo's share of the directory's ring differs from run to run, and so does this figure.
        var takenAway = 0;
        DateTimeOffset? caughtUp = null;
        var problems = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        // BENCH_SURVIVOR_LOG=<file>: the survivor's whole log, each line stamped when it was read, to see where the time went.
        var survivorLog = Environment.GetEnvironmentVariable("BENCH_SURVIVOR_LOG") is { Length: > 0 } logPath ? TextWriter.Synchronized(new StreamWriter(logPath)) : null;
        survivor.Line += line =>
        {
            survivorLog?.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");
            if (line.Contains("(adopted: True)", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref adopted);
            }

            if (line.Contains("was taken away by the cluster", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref takenAway);
            }

            if (line.Contains("Missed reminder ticks after", StringComparison.Ordinal))
            {
                caughtUp ??= DateTimeOffset.UtcNow;
            }

            if (line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("warn:", StringComparison.Ordinal))
            {
                problems.AddOrUpdate(line, 1, (_, n) => n + 1);
            }
        };
        await Task.WhenAll(survivor.WaitReadyAsync(TimeSpan.FromMinutes(2)), victim.WaitReadyAsync(TimeSpan.FromMinutes(2)));
        var silos = new[] { survivor.Http, victim.Http };

        var world = JsonDocument.Parse(await new HttpClient { BaseAddress = emulator.BaseUrl }.GetStringAsync($"/__emulator/world?users={options.Tenants}")).RootElement;
        var userTokens = world.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("shortLivedToken").GetString()!).ToList();
        var watch = Stopwatch.StartNew();
        var tenants = await BenchApi.ForEachAsync(Enumerable.Range(0, options.Tenants).ToList(), options.Concurrency, async i =>
        {
            var http = silos[i % 2];
            var tenant = await BenchApi.CreateTenantAsync(http, $"pc-t{i:D5}", options.Isolation);
            using var connect = BenchApi.TenantRequest(HttpMethod.Post, "/api/channels/facebook", tenant, new { userAccessToken = userTokens[i] });
            using var connected = await http.SendAsync(connect);
            connected.EnsureSuccessStatusCode();
            return (tenant, channel: (await connected.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().First().GetProperty("channelId").GetString()!);
        });
        Console.WriteLine($"setup: {options.Tenants} tenants ({(schemas ? "schemas of a shared PostgreSQL database" : "PostgreSQL databases")}) with a Page each in {watch.Elapsed.TotalSeconds:F1} s");

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
        Console.WriteLine($"due {due:HH:mm:ss.fff}; killed silo 1 at due + 2 s; {landedAtKill} of {ids.Count} posts had landed");

        if (ServerStatements.Wanted)
        {
            await ServerStatements.ResetAsync(cluster.Postgres.ConnectionString);
        }

        using var connections = ServerConnections.Watch(cluster.Postgres.ConnectionString);
        // Watched on the emulator (in this process) until every post has landed, and only then read through the
        // survivor's API: a client asking after each of 10,000 posts twice a second is not what production has,
        // and its requests took CPU from the survivor while it published. Lateness comes from each post's
        // publishedAt either way; the waiting ends after 10 minutes whatever landed.
        var watching = Stopwatch.StartNew();
        while (emulator.State.Publications.Count < ids.Count && watching.Elapsed < TimeSpan.FromMinutes(10))
        {
            await Task.Delay(100);
        }

        var allLanded = DateTimeOffset.UtcNow - due;
        var (lateness, failed) = await PublishingBenchmark.SettleAsync(survivor.Http, ids, due, options.Concurrency);
        var settled = DateTimeOffset.UtcNow - due;
        Console.WriteLine($"all {emulator.State.Publications.Count} on the emulator {allLanded.TotalSeconds:F1} s after the due time (read through the API after that)");
        var landed = emulator.State.Publications.Select(p => (p.OwnerId, p.Message)).ToList();
        Console.WriteLine($"all {ids.Count} settled {settled.TotalSeconds:F1} s after the due time: {lateness.Count} published, {failed} failed or cancelled");
        if (lateness.Count > 0)
        {
            Console.WriteLine($"  lateness after scheduledAt: p50 {PublishingBenchmark.Percentile(lateness, 0.50):F2} s, p99 {PublishingBenchmark.Percentile(lateness, 0.99):F2} s, max {lateness[^1]:F2} s");
            // Where the time went: a steady rate, or a stall (the death not yet declared, a reminder tick waited for).
            var tens = Enumerable.Range(1, (int)Math.Ceiling(lateness[^1] / 10)).Select(k => $"{k * 10} s: {lateness.Count(l => l <= k * 10)}");
            Console.WriteLine($"  published by due + {string.Join(", ", tens)}");
        }

        Console.WriteLine($"  posts on the emulator: {landed.Count}; duplicates: {landed.Count - landed.Distinct().Count()}");
        Console.WriteLine($"  adopted after an unknown outcome (survivor's log): {adopted}; warnings and errors logged by the survivor: {problems.Values.Sum()}");
        Console.WriteLine($"  the survivor's posts with due work taken away by the cluster (DirectoryFailure): {takenAway}; missed-tick catch-up done {(caughtUp is { } at ? $"{(at - due).TotalSeconds:F1} s after due" : "never")}");
        foreach (var (category, count) in problems.OrderByDescending(p => p.Value).Take(5))
        {
            Console.WriteLine($"    {count} x {category}");
        }

        Console.WriteLine($"  PostgreSQL server connections after the due time: peak {connections.Peak} (max_connections {cluster.Postgres.MaxConnections})");
        survivorLog?.Flush();
        if (ServerStatements.Wanted)
        {
            await ServerStatements.PrintAsync(cluster.Postgres.ConnectionString);
        }

        var (suspicions, falselyDead) = await cluster.FalseSuspicionsAsync([victim]);
        Console.WriteLine($"  suspicions of the survivor under this load: {suspicions}; declared dead: {falselyDead}");
    }
}
