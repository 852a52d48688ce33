using System.Diagnostics;
using System.Globalization;
using Npgsql;
using OrleansSocial.Testing;

namespace OrleansSocial.Benchmarks;

/// <summary>
/// The schema tier at scale: tenants provisioned through the API of two silo processes (cluster mode on
/// a throwaway PostgreSQL) as schemas of one shared database, then every tenant read through both
/// silos. Reports the provisioning rate, the disk an empty tenant costs (the shared database's growth,
/// owner, settings and audit included) and the peak of server connections both silos held, by database.
/// </summary>
internal static class SchemaTenantsBenchmark
{
    private const string Shared = "orleans_social_shared_1";

    public static async Task RunAsync(BenchmarkOptions options)
    {
        Console.WriteLine($"schema tenants: {options.Tenants} tenants as schemas of one shared database, two silos, concurrency {options.Concurrency}");
        await using var cluster = await BenchCluster.StartAsync("bench-schemas", maxConnections: 200, users: 1);
        var settings = cluster.Settings(new Dictionary<string, string>
        {
            ["Sync:InitialSyncWindow"] = "1.00:00:00",
            // Two silos within 64 server connections: 2 x 10 here, 2 x 8 for the catalog, 2 x 10 for Orleans, the maintenance pools.
            ["Storage:MaxPoolSizePerSharedDatabase"] = "10",
            // Orleans' own tables (membership, reminders) through one pool of at most 10 per silo.
            ["Orleans:Postgres"] = new NpgsqlConnectionStringBuilder(cluster.Postgres.ConnectionStringFor("orleans_cluster")) { MaxPoolSize = 10 }.ConnectionString,
        });
        var silos = new[] { cluster.StartSilo(settings), cluster.StartSilo(settings) };
        await Task.WhenAll(silos.Select(s => s.WaitReadyAsync(TimeSpan.FromMinutes(2))));
        var http = silos.Select(s => s.Http).ToArray();
        using var connections = ServerConnections.Watch(cluster.Postgres.ConnectionString);

        await StoreOnlyAsync(cluster.Postgres, Math.Min(options.Tenants, 500), options.Concurrency);

        // The shared database is made with the first schema tenant: measured from there. Then a cold
        // provisioning of a few hundred (the silos' JIT compiles the path as it goes: reported apart),
        // and the steady rate after it.
        await BenchApi.CreateTenantAsync(http[0], "st-first", "schema");
        var warmUp = Math.Min(300, Math.Max(1, options.Tenants / 10));
        var cold = Stopwatch.StartNew();
        await BenchApi.ForEachAsync(Enumerable.Range(0, warmUp).ToList(), options.Concurrency,
            i => BenchApi.CreateTenantAsync(http[i % 2], $"sw-{i:D6}", "schema"));
        Console.WriteLine($"cold: the silos' first {warmUp} schema tenants in {cold.Elapsed.TotalSeconds:F1} s: {warmUp / cold.Elapsed.TotalSeconds:F1} tenants/s through the API");
        var sizeBefore = await ScalarAsync(cluster.Postgres, $"SELECT pg_database_size('{Shared}')");
        var watch = Stopwatch.StartNew();
        var finished = new double[options.Tenants];
        var done = -1;
        var tenants = await BenchApi.ForEachAsync(Enumerable.Range(0, options.Tenants).ToList(), options.Concurrency, async i =>
        {
            var tenant = await BenchApi.CreateTenantAsync(http[i % 2], $"st-{i:D6}", "schema");
            finished[Interlocked.Increment(ref done)] = watch.Elapsed.TotalSeconds;
            return tenant;
        });
        var provisioning = watch.Elapsed;
        // The rate of each successive tenth: how it settles as the silos' code warms and the database grows.
        var tenth = Math.Max(1, options.Tenants / 10);
        var rates = Enumerable.Range(0, options.Tenants / tenth)
            .Select(k => tenth / (finished[(k + 1) * tenth - 1] - (k == 0 ? 0 : finished[k * tenth - 1]))).ToList();
        Console.WriteLine("provisioning rate by tenths, tenants/s: " + string.Join(", ", rates.Select(r => r.ToString("F1", CultureInfo.InvariantCulture))));
        var peakProvisioning = connections.Peak;
        var sizeAfter = await ScalarAsync(cluster.Postgres, $"SELECT pg_database_size('{Shared}')");
        var databases = await ScalarAsync(cluster.Postgres, "SELECT count(*) FROM pg_database WHERE datname LIKE 'tenant_%'");
        await using var shared = new NpgsqlConnection(cluster.Postgres.ConnectionStringFor(Shared));
        await shared.OpenAsync();
        await using var relations = new NpgsqlCommand(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname LIKE 'tenant_%'", shared);
        var relationCount = (long)(await relations.ExecuteScalarAsync())!;

        Console.WriteLine($"provisioned {options.Tenants} schema tenants in {provisioning.TotalSeconds:F1} s: {options.Tenants / provisioning.TotalSeconds:F1} tenants/s through the API");
        Console.WriteLine($"disk: the shared database grew {(sizeAfter - sizeBefore) / 1048576.0:F0} MB, {(sizeAfter - sizeBefore) / (double)options.Tenants / 1048576.0:F3} MB per tenant " +
            $"({relationCount / (double)(options.Tenants + warmUp + 1):F0} relations each: tables, their keys, TOAST and indexes); tenant databases on the server: {databases}");
        Console.WriteLine($"peak server connections while provisioning: {peakProvisioning}");

        // Every tenant read through both silos: what serving all of them costs in connections.
        watch.Restart();
        var failures = 0;
        await BenchApi.ForEachAsync(tenants.SelectMany(t => new[] { (t, 0), (t, 1) }).ToList(), options.Concurrency, async pair =>
        {
            foreach (var path in new[] { "/api/tenant", "/api/members" })
            {
                using var request = BenchApi.TenantRequest(HttpMethod.Get, path, pair.t, null);
                using var response = await http[pair.Item2].SendAsync(request);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref failures);
                }
            }

            return 0;
        });
        var serving = watch.Elapsed;
        Console.WriteLine($"served {tenants.Count * 4} reads (every tenant through both silos) in {serving.TotalSeconds:F1} s: {tenants.Count * 4 / serving.TotalSeconds:F0}/s, {failures} failed");
        Console.WriteLine($"peak server connections, provisioning and serving, both silos: {connections.Peak}");
        await using var byDatabase = new NpgsqlCommand(
            "SELECT coalesce(datname, '-'), count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' GROUP BY 1 ORDER BY 2 DESC", shared);
        await using var reader = await byDatabase.ExecuteReaderAsync();
        var open = new List<string>();
        while (await reader.ReadAsync())
        {
            open.Add($"{reader.GetString(0)} {reader.GetInt64(1).ToString(CultureInfo.InvariantCulture)}");
        }

        Console.WriteLine($"connections open at the end, by database (this benchmark's own two included): {string.Join(", ", open)}");
    }

    /// <summary>The storage engine alone: schemas with their tables and the tenant indexes, no API, no grain, no owner.</summary>
    private static async Task StoreOnlyAsync(PostgresServer postgres, int count, int concurrency)
    {
        await using var store = new OrleansSocial.Storage.Postgres.PostgresSchemaStore(new OrleansSocial.Storage.Postgres.PostgresSchemaStoreOptions
        {
            ConnectionString = postgres.ConnectionString,
            SharedDatabasePrefix = "bench_store_only",
            Collections = OrleansSocial.Grains.Tenancy.TenantSchema.Collections,
            Indexes = OrleansSocial.Grains.Tenancy.TenantSchema.Indexes,
        });
        await store.InitializeAsync(CancellationToken.None);
        var watch = Stopwatch.StartNew();
        await BenchApi.ForEachAsync(Enumerable.Range(0, count).ToList(), concurrency, async i =>
        {
            await store.CreateDatabaseAsync($"tenant_store_{i:D6}", CancellationToken.None);
            return 0;
        });
        Console.WriteLine($"store only: {count} schemas with provisioning's tables and indexes in {watch.Elapsed.TotalSeconds:F1} s: {count / watch.Elapsed.TotalSeconds:F1}/s");
    }

    private static async Task<long> ScalarAsync(PostgresServer postgres, string sql)
    {
        await using var connection = new NpgsqlConnection(postgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }
}
