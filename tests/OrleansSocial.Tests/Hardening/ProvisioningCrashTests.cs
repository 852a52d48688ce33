using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Npgsql;
using OrleansSocial.Tests.Cluster;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Hardening;

/// <summary>
/// The host process is SIGKILLed while <c>POST /admin/tenants</c> runs: after its database was
/// created and before the catalog marks the tenant ready. The catalog row is held locked by the
/// test (PostgreSQL's own row lock, no hook in the product) so the kill lands exactly there.
/// The next start leaves nothing behind: the id is free, its database gone, and it can be created again.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ProvisioningCrashTests(PostgresServer postgres) : IAsyncLifetime
{
    private const string OperatorKey = "provisioning-crash-operator-key-0123456789";
    private readonly TempFolder _data = new("orleans-social-crash");
    private readonly string _catalog = "crash_catalog_" + Guid.NewGuid().ToString("N")[..8];

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        _data.Dispose();
        return Task.CompletedTask;
    }

    private Dictionary<string, string> Settings() => new()
    {
        ["Operator:ApiKey"] = OperatorKey,
        ["Data:Path"] = _data.Path,
        ["Storage:Engine"] = "postgres",
        ["Storage:Postgres"] = postgres.ConnectionStringFor(_catalog),
        // A Graph backend that is never called here; set so no embedded emulator starts beside the host.
        ["Graph:BaseUrl"] = "http://127.0.0.1:9",
        ["Graph:AppId"] = "1234567890123",
        ["Graph:AppSecret"] = "crash-test-app-secret",
    };

    [Theory]
    [InlineData("database")]
    [InlineData("schema")]
    public async Task A_host_killed_mid_provisioning_leaves_nothing_and_the_id_can_be_created_again(string isolation)
    {
        string? id = null;
        await using (var first = SiloProcess.Start(_data.Path, Settings()))
        {
            await first.WaitReadyAsync(TimeSpan.FromSeconds(90));
            for (var attempt = 0; attempt < 5 && id is null; attempt++)
            {
                id = await KillMidProvisioningAsync(first, "crash-" + Guid.NewGuid().ToString("N")[..8], isolation);
            }
        }

        Assert.NotNull(id);
        // What the kill left: the catalog says "provisioning" and the database exists.
        Assert.Equal("provisioning", await CatalogStateAsync(id));
        Assert.True(await DatabaseExistsAsync(id, isolation));

        await using var second = SiloProcess.Start(_data.Path, Settings());
        await second.WaitReadyAsync(TimeSpan.FromSeconds(90));
        // Rolled back at start, with nobody asking for the id.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await CatalogStateAsync(id) is not null || await DatabaseExistsAsync(id, isolation)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Null(await CatalogStateAsync(id));
        Assert.False(await DatabaseExistsAsync(id, isolation));
        Assert.True(await second.WaitForOutputAsync("was rolled back", TimeSpan.FromSeconds(10)), second.Output);
        var client = Operator(second);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/admin/tenants/{id}")).StatusCode);
        var created = await client.PostAsJsonAsync("/admin/tenants", new { id, name = "Again", ownerEmail = "o@crash.test", isolation });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var delete = new HttpRequestMessage(HttpMethod.Delete, $"/admin/tenants/{id}");
        delete.Headers.Add("x-confirm-delete", id);
        Assert.Equal(HttpStatusCode.Accepted, (await client.SendAsync(delete)).StatusCode);
    }

    /// <summary>Starts a provisioning, locks its catalog row as soon as it exists, kills the host while it waits on the lock.</summary>
    private async Task<string?> KillMidProvisioningAsync(SiloProcess host, string id, string isolation)
    {
        await using var connection = new NpgsqlConnection(postgres.ConnectionStringFor(_catalog));
        var provisioning = Operator(host).PostAsJsonAsync("/admin/tenants", new { id, name = "Crash", ownerEmail = "o@crash.test", isolation });
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!provisioning.IsCompleted && DateTime.UtcNow < deadline)
        {
            try
            {
                if (connection.State != System.Data.ConnectionState.Open)
                {
                    await connection.OpenAsync();
                }
            }
            catch (PostgresException)
            {
                // The catalog database does not exist yet.
                await Task.Delay(5);
                continue;
            }

            var transaction = await connection.BeginTransactionAsync();
            await using var lockRow = new NpgsqlCommand("SELECT 1 FROM doc_tenants WHERE id = @id AND body->>'state' = 'provisioning' FOR UPDATE", connection, transaction);
            lockRow.Parameters.AddWithValue("id", id);
            object? locked;
            try
            {
                locked = await lockRow.ExecuteScalarAsync();
            }
            catch (PostgresException)
            {
                locked = null; // doc_tenants not created yet
            }

            if (locked is null)
            {
                await transaction.RollbackAsync();
                await Task.Delay(2);
                continue;
            }

            // Held: the provisioning finishes every step but the last and then waits on this row.
            var waitDeadline = DateTime.UtcNow.AddSeconds(20);
            while (!await DatabaseHasOwnerAsync(id, isolation) && DateTime.UtcNow < waitDeadline)
            {
                await Task.Delay(20);
            }

            host.Kill();
            // The dead process's statement still waits on the row in its server session until the
            // server notices the client is gone (client_connection_check_interval); only then let go,
            // or the orphaned write would commit after the kill.
            await WaitForNoLockWaitersAsync();
            await transaction.RollbackAsync();
            return id;
        }

        return null;
    }

    private async Task WaitForNoLockWaitersAsync()
    {
        await using var connection = new NpgsqlConnection(postgres.ConnectionString);
        await connection.OpenAsync();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = @db AND wait_event_type = 'Lock'", connection);
            command.Parameters.AddWithValue("db", _catalog);
            if ((long)(await command.ExecuteScalarAsync())! == 0)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("The killed host's session still waits on the catalog row.");
    }

    private static HttpClient Operator(SiloProcess host)
    {
        var client = new HttpClient { BaseAddress = host.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OperatorKey);
        return client;
    }

    private async Task<string?> CatalogStateAsync(string id)
    {
        await using var connection = new NpgsqlConnection(postgres.ConnectionStringFor(_catalog));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT body->>'state' FROM doc_tenants WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", id);
        return await command.ExecuteScalarAsync() as string;
    }

    private const string Shared = "orleans_social_shared_1";

    /// <summary>The tenant's database, or its schema in the shared database.</summary>
    private Task<bool> DatabaseExistsAsync(string id, string isolation) => isolation == "database"
        ? postgres.DatabaseExistsAsync("tenant_" + id.Replace('-', '_'))
        : postgres.SchemaExistsAsync("tenant_" + id.Replace('-', '_'), Shared);

    /// <summary>The owner member is the last write into the tenant's database before the catalog's.</summary>
    private async Task<bool> DatabaseHasOwnerAsync(string id, string isolation)
    {
        if (!await DatabaseExistsAsync(id, isolation))
        {
            return false;
        }

        try
        {
            var name = "tenant_" + id.Replace('-', '_');
            await using var connection = new NpgsqlConnection(postgres.ConnectionStringFor(isolation == "database" ? name : Shared));
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(isolation == "database" ? "SELECT count(*) FROM doc_audit" : $"SELECT count(*) FROM \"{name}\".doc_audit", connection);
            return (long)(await command.ExecuteScalarAsync())! >= 2;
        }
        catch (PostgresException)
        {
            return false;
        }
    }
}
