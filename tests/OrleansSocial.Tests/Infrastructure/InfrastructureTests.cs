using Npgsql;
using OrleansSocial.Tests.TestGrains;

namespace OrleansSocial.Tests.Infrastructure;

[Collection(PostgresCollection.Name)]
public sealed class PostgresServerTests(PostgresServer server)
{
    [Fact]
    public async Task Throwaway_server_accepts_connections_and_creates_databases()
    {
        var database = "probe_" + Guid.NewGuid().ToString("N")[..8];
        await using (var connection = new NpgsqlConnection(server.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", connection);
            await create.ExecuteNonQueryAsync();
        }

        await using var tenant = new NpgsqlConnection(server.ConnectionStringFor(database));
        await tenant.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT current_database()", tenant);
        Assert.Equal(database, await query.ExecuteScalarAsync());
    }
}

[Collection(ClusterCollection.Name)]
public sealed class ClusterFixtureTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Test_cluster_has_two_silos_and_serves_grains()
    {
        Assert.Equal(2, fixture.Cluster.GetActiveSilos().Count());

        var probe = fixture.Grains.GetGrain<IProbeGrain>("cluster-" + Guid.NewGuid().ToString("N"));
        await probe.SetValue("hello");
        Assert.Equal("hello", (await probe.GetSnapshot()).Value);
    }
}
