using Npgsql;
using OrleansSocial.Storage.Postgres;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Storage;

/// <summary>The catalog's few statements run for every tenant and are prepared on their connection; a tenant database's are not.</summary>
[Collection(PostgresCollection.Name)]
public sealed class CatalogPreparedStatementsTests(PostgresServer server)
{
    [Fact]
    public async Task A_statement_the_catalog_runs_over_and_over_is_prepared_and_a_tenant_databases_is_not()
    {
        await using var cache = new DataSourceCache(new NpgsqlConnectionStringBuilder(server.ConnectionString), capacity: 4, poolSize: 1, prepared: "postgres");

        Assert.True(await PreparedAfterRepeatsAsync(cache.Get("postgres")), "the catalog's statement was not prepared");
        Assert.False(await PreparedAfterRepeatsAsync(cache.Get("template1")), "a tenant database's statement was prepared");
    }

    private static async Task<bool> PreparedAfterRepeatsAsync(NpgsqlDataSource source)
    {
        await using var connection = await source.OpenConnectionAsync();
        for (var i = 0; i < 8; i++)
        {
            await using var repeated = new NpgsqlCommand("SELECT count(*) FROM pg_class WHERE relname = @name", connection);
            repeated.Parameters.AddWithValue("name", "pg_class");
            await repeated.ExecuteScalarAsync();
        }

        await using var prepared = new NpgsqlCommand("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%relname = $1%'", connection);
        return Convert.ToInt64(await prepared.ExecuteScalarAsync()) > 0;
    }
}
