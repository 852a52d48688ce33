using System.Net;
using Npgsql;
using OrleansSocial.Testing;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Hardening;

/// <summary>
/// A tenant's database (or the shared database of its schema) with no connection left for a request — the pool exhausted by a slow query,
/// which the test makes with PostgreSQL's own lock, no hook in the product — answers 503 with
/// Retry-After on reads and writes alike, leaves nothing of a refused write behind, and answers
/// normally once the connection is free.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class StorageBusyTests(PostgresServer server) : IAsyncLifetime
{
    private const string OperatorKey = "storage-busy-operator-key-0123456789abcdef";
    private readonly TempFolder _data = new("orleans-social-busy");
    private ApiHost _host = null!;
    private ApiClient _api = null!;

    public Task InitializeAsync()
    {
        var catalog = "busy_" + Guid.NewGuid().ToString("N")[..10];
        _host = new ApiHost(_data.Path, new Dictionary<string, string?>
        {
            ["Operator:ApiKey"] = OperatorKey,
            ["Storage:Engine"] = "postgres",
            // One connection per tenant database and per shared database, and a short wait for it: the pool runs dry
            // at once. (Npgsql's Timeout also bounds opening a connection, which takes over a second on a loaded machine: not 1.)
            ["Storage:Postgres"] = new NpgsqlConnectionStringBuilder(server.ConnectionStringFor(catalog)) { Timeout = 5 }.ConnectionString,
            ["Storage:MaxPoolSizePerDatabase"] = "1",
            ["Storage:MaxPoolSizePerSharedDatabase"] = "1",
            // Enterprise tenants in databases of their own, pro tenants in schemas (the plans' defaults).
            ["Isolation:Plans:enterprise"] = "database",
            ["Isolation:Plans:pro"] = "schema",
        });
        _api = new ApiClient(_host.CreateHttpClient(), OperatorKey);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _api.Http.Dispose();
        await _host.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        _data.Dispose();
    }

    [Theory]
    [InlineData("enterprise")]
    [InlineData("pro")]
    public async Task A_tenant_store_out_of_connections_answers_503_with_retry_after_and_keeps_no_part_of_a_refused_write(string plan)
    {
        var tenant = await _api.CreateTenantAsync(plan: plan);
        var schema = "tenant_" + tenant.Id.Replace('-', '_');
        var inSchema = plan == "pro";
        var database = inSchema ? "orleans_social_shared_1" : schema;
        Assert.Equal(HttpStatusCode.OK, (await _api.TenantAsync(HttpMethod.Get, "/api/channels", tenant.Id, tenant.OwnerKey)).StatusCode);

        // A query of the host waits on the test's lock, holding the only pooled connection. The table exists first
        // (reads do not make tables, and one made in the locking transaction would be invisible, not locked, to the host).
        await using var blocker = new NpgsqlConnection(server.ConnectionStringFor(database));
        await blocker.OpenAsync();
        var table = $"{(inSchema ? $"\"{schema}\"." : "")}doc_channels";
        await using (var create = new NpgsqlCommand($"CREATE TABLE IF NOT EXISTS {table} (id text COLLATE \"C\" NOT NULL PRIMARY KEY, body jsonb NOT NULL)", blocker))
        {
            await create.ExecuteNonQueryAsync();
        }

        var lockTransaction = await blocker.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand($"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE", blocker, lockTransaction))
        {
            await lockTable.ExecuteNonQueryAsync();
        }

        var held = _api.TenantAsync(HttpMethod.Get, "/api/channels", tenant.Id, tenant.OwnerKey);
        await Eventually.UntilAsync(() => WaitingOnLocksAsync(database, inSchema ? schema : null), TimeSpan.FromSeconds(30));

        // A read served by the front, and a write served by the tenant grain.
        var read = await _api.TenantAsync(HttpMethod.Get, "/api/analytics/overview", tenant.Id, tenant.OwnerKey);
        await AssertBusyAsync(read);
        var email = $"busy-{Guid.NewGuid():N}@{tenant.Id}.test";
        var write = await _api.TenantAsync(HttpMethod.Post, "/api/members", tenant.Id, tenant.OwnerKey, new { email, role = "viewer" });
        await AssertBusyAsync(write);
        Assert.False(held.IsCompleted, "the request holding the connection should still wait on the lock");

        await lockTransaction.RollbackAsync();
        Assert.Equal(HttpStatusCode.OK, (await held).StatusCode);

        // Nothing of the refused write: the member is not there, and adding it now succeeds once.
        var members = await ApiClient.JsonAsync(await _api.TenantAsync(HttpMethod.Get, "/api/members?limit=100", tenant.Id, tenant.OwnerKey));
        Assert.DoesNotContain(members.GetProperty("items").EnumerateArray(), m => m.GetProperty("email").GetString() == email);
        var again = await _api.TenantAsync(HttpMethod.Post, "/api/members", tenant.Id, tenant.OwnerKey, new { email, role = "viewer" });
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _api.TenantAsync(HttpMethod.Get, "/api/analytics/overview", tenant.Id, tenant.OwnerKey)).StatusCode);
    }

    private static async Task AssertBusyAsync(HttpResponseMessage response)
    {
        var problem = await ProblemAssert.IsProblemAsync(response, 503);
        Assert.EndsWith("/storage-busy", problem.GetProperty("type").GetString());
        Assert.Equal(TimeSpan.FromSeconds(2), response.Headers.RetryAfter?.Delta);
        Assert.Equal(2, problem.GetProperty("retryAfter").GetInt32());
    }

    /// <summary>A statement of this tenant waits on a lock (in a shared database, one naming its schema: other tenants there are not this test's).</summary>
    private async Task<bool> WaitingOnLocksAsync(string database, string? schema)
    {
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock' AND ($2 = '' OR strpos(query, $2) > 0)", connection);
        command.Parameters.AddWithValue(database);
        command.Parameters.AddWithValue(schema is null ? "" : $"\"{schema}\"");
        return (long)(await command.ExecuteScalarAsync())! > 0;
    }
}
