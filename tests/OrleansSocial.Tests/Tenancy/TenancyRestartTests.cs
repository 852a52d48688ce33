using System.Net;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Tenancy;

public sealed class TenancyRestartTests
{
    private const string OperatorKey = "test-operator-key-restart-0123456789abcdef";

    [Fact]
    public async Task Tenants_members_and_keys_survive_a_host_restart()
    {
        using var data = new TempFolder();
        var settings = new Dictionary<string, string?> { ["Operator:ApiKey"] = OperatorKey };
        ApiClient.Tenant tenant;
        string viewerKey, revokedKey;
        await using (var first = new ApiHost(data.Path, settings))
        {
            var api = new ApiClient(first.CreateHttpClient(), OperatorKey);
            tenant = await api.CreateTenantAsync();
            (var viewerId, viewerKey) = await api.AddMemberAsync(tenant, "viewer");
            (var doomedId, revokedKey) = await api.AddMemberAsync(tenant, "editor");
            await api.TenantAsync(HttpMethod.Delete, $"/api/members/{doomedId}", tenant.Id, tenant.OwnerKey);
            await api.OperatorAsync(HttpMethod.Patch, $"/admin/tenants/{tenant.Id}", new { plan = "starter" });
        }

        await using var second = new ApiHost(data.Path, settings);
        var again = new ApiClient(second.CreateHttpClient(), OperatorKey);

        var view = await ApiClient.JsonAsync(await again.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, tenant.OwnerKey));
        Assert.Equal("starter", view.GetProperty("plan").GetString());
        Assert.Equal(2, view.GetProperty("usage").GetProperty("members").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await again.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, viewerKey)).StatusCode);
        await ProblemAssert.IsProblemAsync(await again.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, revokedKey), 401);
        await ProblemAssert.IsProblemAsync(await again.TenantAsync(HttpMethod.Get, "/api/members", tenant.Id, viewerKey), 403);
    }
}

/// <summary>The whole front on the PostgreSQL engine: database per tenant on a real server.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresTenancyTests(PostgresServer server)
{
    private const string OperatorKey = "test-operator-key-postgres-0123456789abcdef";

    /// <summary>The host on the PostgreSQL engine with a catalog of its own.</summary>
    private ApiHost PostgresHost(string dataPath, string catalog, string? proIsolation = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Operator:ApiKey"] = OperatorKey,
            ["Storage:Engine"] = "postgres",
            ["Storage:Postgres"] = server.ConnectionStringFor(catalog),
        };
        if (proIsolation is not null)
        {
            settings["Isolation:Plans:pro"] = proIsolation;
        }

        return new ApiHost(dataPath, settings);
    }

    [Fact]
    public async Task Provisioning_on_postgres_creates_a_database_per_tenant()
    {
        using var data = new TempFolder();
        var catalog = "catalog_" + Guid.NewGuid().ToString("N")[..10];
        await using var host = PostgresHost(data.Path, catalog, proIsolation: "database");
        var api = new ApiClient(host.CreateHttpClient(), OperatorKey);

        var a = await api.CreateTenantAsync();
        var b = await api.CreateTenantAsync();
        await api.AddMemberAsync(a, "viewer");

        await using var connection = new Npgsql.NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var query = new Npgsql.NpgsqlCommand("SELECT datname FROM pg_database WHERE datname = ANY(@names)", connection);
        query.Parameters.AddWithValue("names", new[] { catalog, OrleansSocial.Storage.Naming.StorageNames.TenantDatabase(a.Id), OrleansSocial.Storage.Naming.StorageNames.TenantDatabase(b.Id) });
        var found = new List<string>();
        await using (var reader = await query.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                found.Add(reader.GetString(0));
            }
        }

        Assert.Equal(3, found.Count);
        var view = await ApiClient.JsonAsync(await api.TenantAsync(HttpMethod.Get, "/api/tenant", a.Id, a.OwnerKey));
        Assert.Equal(2, view.GetProperty("usage").GetProperty("members").GetInt32());
        await ProblemAssert.IsProblemAsync(await api.TenantAsync(HttpMethod.Get, "/api/tenant", b.Id, a.OwnerKey), 403);

        var ready = await ApiClient.JsonAsync(await api.Http.GetAsync("/health/ready"));
        Assert.Equal("Healthy", ready.GetProperty("checks").GetProperty("tenant-store").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Small_plans_get_a_schema_in_a_shared_database_and_enterprise_a_database_of_its_own_by_default()
    {
        using var data = new TempFolder();
        await using var host = PostgresHost(data.Path, "catalog_" + Guid.NewGuid().ToString("N")[..10]);
        var api = new ApiClient(host.CreateHttpClient(), OperatorKey);

        var small = await api.CreateTenantAsync(plan: "free");
        var large = await api.CreateTenantAsync(plan: "enterprise");
        var chosen = await api.CreateTenantAsync(plan: "free", id: "t-" + Guid.NewGuid().ToString("N")[..10]);
        await api.AddMemberAsync(small, "viewer");

        Assert.False(await server.DatabaseExistsAsync(OrleansSocial.Storage.Naming.StorageNames.TenantDatabase(small.Id)));
        Assert.True(await server.DatabaseExistsAsync(OrleansSocial.Storage.Naming.StorageNames.TenantDatabase(large.Id)));
        await using var shared = new Npgsql.NpgsqlConnection(server.ConnectionStringFor("orleans_social_shared_1"));
        await shared.OpenAsync();
        await using var schemas = new Npgsql.NpgsqlCommand("SELECT count(*) FROM pg_namespace WHERE nspname = ANY(@names)", shared);
        schemas.Parameters.AddWithValue("names", new[] { OrleansSocial.Storage.Naming.StorageNames.TenantDatabase(small.Id), OrleansSocial.Storage.Naming.StorageNames.TenantDatabase(chosen.Id) });
        Assert.Equal(2L, await schemas.ExecuteScalarAsync());
        foreach (var (tenant, isolation) in new[] { (small, "schema"), (large, "database") })
        {
            var view = await ApiClient.JsonAsync(await api.OperatorAsync(HttpMethod.Get, $"/admin/tenants/{tenant.Id}"));
            Assert.Equal(isolation, view.GetProperty("isolation").GetString());
        }

        Assert.Equal(2, (await ApiClient.JsonAsync(await api.TenantAsync(HttpMethod.Get, "/api/tenant", small.Id, small.OwnerKey))).GetProperty("usage").GetProperty("members").GetInt32());
        await ProblemAssert.IsProblemAsync(await api.TenantAsync(HttpMethod.Get, "/api/tenant", large.Id, small.OwnerKey), 403);

        // Chosen at creation against the plan's default; an isolation that is no tier is refused naming the field.
        var enterpriseInSchema = await api.OperatorAsync(HttpMethod.Post, "/admin/tenants",
            new { id = "t-" + Guid.NewGuid().ToString("N")[..10], name = "E", plan = "enterprise", ownerEmail = "o@e.test", isolation = "schema" });
        Assert.Equal("schema", (await ApiClient.JsonAsync(enterpriseInSchema)).GetProperty("isolation").GetString());
        var refused = await api.OperatorAsync(HttpMethod.Post, "/admin/tenants", new { name = "X", ownerEmail = "o@x.test", isolation = "row" });
        Assert.Equal("isolation", (await ProblemAssert.IsProblemAsync(refused, 400)).GetProperty("field").GetString());

        // A plan change proposes the new plan's default isolation; it does not move the tenant.
        var upgraded = await ApiClient.JsonAsync(await api.OperatorAsync(HttpMethod.Patch, $"/admin/tenants/{small.Id}", new { plan = "enterprise" }));
        Assert.Equal(("schema", "database"), (upgraded.GetProperty("isolation").GetString(), upgraded.GetProperty("proposedIsolation").GetString()));
        Assert.False(await server.DatabaseExistsAsync(OrleansSocial.Storage.Naming.StorageNames.TenantDatabase(small.Id)));
    }
}
