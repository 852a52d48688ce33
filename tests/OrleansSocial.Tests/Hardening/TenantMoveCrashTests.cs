using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Hardening;

/// <summary>
/// The host process is SIGKILLed in the middle of a move: the tenant is frozen on its first
/// server and its copy on the second is half-made. A table of the original is held locked by the
/// test (PostgreSQL's own lock, no hook in the product) so the kill lands while the copy waits on
/// it. The next start settles it with nobody asking: one copy, on the first server, writable,
/// nothing lost, and the tenant can be moved again.
/// </summary>
[Collection(TwoPostgresCollection.Name)]
public sealed class TenantMoveCrashTests(TwoPostgresServers servers) : IAsyncLifetime
{
    private const string OperatorKey = "move-crash-operator-key-0123456789abcdef";
    private readonly TempFolder _data = new("orleans-social-move-crash");
    private readonly string _catalog = "move_crash_" + Guid.NewGuid().ToString("N")[..8];

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
        ["Storage:Postgres"] = servers.First.ConnectionStringFor(_catalog),
        ["Storage:ServerName"] = "pg-a",
        ["Storage:Servers:pg-b:ConnectionString"] = servers.Second.ConnectionString,
        // Every new tenant on pg-a, so the move goes to pg-b.
        ["Storage:Servers:pg-b:Weight"] = "0",
        ["Graph:BaseUrl"] = "http://127.0.0.1:9",
        ["Graph:AppId"] = "1234567890123",
        ["Graph:AppSecret"] = "move-crash-app-secret",
    };

    private const string Shared = "orleans_social_shared_1";

    // The tier the tenant starts in; it moves to a database of its own on the other server (for a schema tenant: server and tier at once).
    private string _from = "database";

    private object MoveBody => _from == "database" ? new { server = "pg-b" } : new { server = "pg-b", isolation = "database" };

    [Theory]
    [InlineData("database")]
    [InlineData("schema")]
    public async Task A_host_killed_mid_move_leaves_the_tenant_on_one_server_writable_and_complete(string from)
    {
        _from = from;
        string? id = null;
        string? ownerKey = null;
        await using (var first = SiloProcess.Start(_data.Path, Settings()))
        {
            await first.WaitReadyAsync(TimeSpan.FromSeconds(90));
            for (var attempt = 0; attempt < 5 && id is null; attempt++)
            {
                (id, ownerKey) = await KillMidCopyAsync(first);
            }
        }

        Assert.NotNull(id);
        var database = "tenant_" + id.Replace('-', '_');
        // What the kill left: a move in its copying phase, the original frozen, a partial copy.
        Assert.Equal("copying", await PlacementAsync(database, "movePhase"));
        Assert.True(await servers.Second.DatabaseExistsAsync(database));
        Assert.True(await FrozenAsync(database));

        await using var second = SiloProcess.Start(_data.Path, Settings());
        await second.WaitReadyAsync(TimeSpan.FromSeconds(90));
        await Eventually.UntilAsync(async () => await PlacementAsync(database, "movePhase") is null, TimeSpan.FromSeconds(30), () => second.Output);

        Assert.Equal("pg-a", await PlacementAsync(database, "server"));
        Assert.False(await servers.Second.DatabaseExistsAsync(database));
        Assert.False(await FrozenAsync(database));
        var client = Client(second, OperatorKey);
        var tenant = await JsonAsync(await client.GetAsync($"/admin/tenants/{id}"));
        Assert.Equal("pg-a", tenant.GetProperty("server").GetString());
        Assert.Equal(JsonValueKind.Null, tenant.GetProperty("movingTo").ValueKind);

        var member = Client(second, ownerKey!, id);
        Assert.Equal(HttpStatusCode.OK, (await member.PatchAsJsonAsync("/api/tenant", new { name = "Writable again" })).StatusCode);
        Assert.Equal(1 + Members, (await JsonAsync(await member.GetAsync("/api/members"))).GetProperty("items").GetArrayLength());

        // And it moves, all the way, now.
        var moved = await client.PostAsJsonAsync($"/admin/tenants/{id}/move", MoveBody);
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        Assert.Equal("pg-b", await PlacementAsync(database, "server"));
        Assert.False(await SourceExistsAsync(database));
        Assert.Equal("Writable again", (await JsonAsync(await member.GetAsync("/api/tenant"))).GetProperty("name").GetString());
        Assert.Equal(1 + Members, (await JsonAsync(await member.GetAsync("/api/members"))).GetProperty("items").GetArrayLength());
    }

    private const int Members = 4;

    /// <summary>
    /// Starts a move, locks the original's last table as soon as the freeze is in (the copy or
    /// its verification then waits on it), kills the host while it waits.
    /// </summary>
    private async Task<(string? Id, string? Key)> KillMidCopyAsync(SiloProcess host)
    {
        var client = Client(host, OperatorKey);
        var id = "mv-" + Guid.NewGuid().ToString("N")[..8];
        var created = await JsonAsync(await client.PostAsJsonAsync("/admin/tenants", new { id, name = "Mover", plan = "enterprise", ownerEmail = $"o@{id}.test", isolation = _from }));
        var key = created.GetProperty("ownerApiKey").GetString()!;
        var member = Client(host, key, id);
        for (var i = 0; i < Members; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await member.PostAsJsonAsync("/api/members", new { email = $"m{i}@{id}.test", role = "viewer" })).StatusCode);
        }

        var database = "tenant_" + id.Replace('-', '_');
        var move = client.PostAsJsonAsync($"/admin/tenants/{id}/move", MoveBody);
        await using var connection = new NpgsqlConnection(servers.First.ConnectionStringFor(SourceDatabase(database)));
        await connection.OpenAsync();
        // As soon as the freeze is in (polled without pause: the copy follows within a second).
        await WhileNotAsync(() => FrozenAsync(database), move, TimeSpan.FromSeconds(20), TimeSpan.Zero);

        var transaction = await connection.BeginTransactionAsync();
        var locked = true;
        try
        {
            await using var lockTable = new NpgsqlCommand($"LOCK TABLE {SourceRelation(database, "doc_webhooks")} IN ACCESS EXCLUSIVE MODE", connection, transaction);
            await lockTable.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException)
        {
            // The whole move fit between the freeze and the lock: the original is already gone (a dropped
            // schema answers 3F000, a dropped database ends this session). This attempt missed; the next uses another tenant.
            locked = false;
        }

        // Caught only if the mover now waits on the lock (not if it had read past it already).
        var caught = locked && await WhileNotAsync(() => MoverWaitsAsync(database), move, TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(20));
        if (!caught)
        {
            // The mover read past the lock and may already have finished: then the original database is
            // dropped (DROP DATABASE … WITH (FORCE)) and this session with it, so the rollback can meet a
            // closed socket. Either way the lock is gone; the next attempt uses another tenant.
            try
            {
                await transaction.RollbackAsync();
            }
            catch (NpgsqlException)
            {
            }

            await move;
            return (null, null);
        }

        host.Kill();
        // The dead host's statement waits in its server session until the server notices the
        // client is gone (client_connection_check_interval); only then let go of the table.
        await Eventually.UntilAsync(async () => !await MoverWaitsAsync(database), TimeSpan.FromSeconds(30));
        await transaction.RollbackAsync();
        return (id, key);
    }

    /// <summary>Polls until the condition holds (true) or the move ended or the time ran out (false).</summary>
    private static async Task<bool> WhileNotAsync(Func<Task<bool>> condition, Task move, TimeSpan timeout, TimeSpan interval)
    {
        try
        {
            return await Eventually.ValueAsync(condition, holds => holds || move.IsCompleted, timeout, interval) && !move.IsCompleted;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private async Task<bool> MoverWaitsAsync(string database)
    {
        await using var connection = new NpgsqlConnection(servers.First.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = @db AND wait_event_type = 'Lock'", connection);
        command.Parameters.AddWithValue("db", SourceDatabase(database));
        return (long)(await command.ExecuteScalarAsync())! > 0;
    }

    /// <summary>The database the tenant starts in on pg-a: its own, or the shared one its schema is in.</summary>
    private string SourceDatabase(string database) => _from == "database" ? database : Shared;

    private string SourceRelation(string database, string table) => _from == "database" ? table : $"\"{database}\".{table}";

    private Task<bool> SourceExistsAsync(string database) =>
        _from == "database" ? servers.First.DatabaseExistsAsync(database) : servers.First.SchemaExistsAsync(database, Shared);

    /// <summary>Whether the freeze trigger is on the tenant's tables on pg-a (its database's, or its schema's).</summary>
    private async Task<bool> FrozenAsync(string database)
    {
        try
        {
            // A connection of its own each time: a pooled one may have been ended by the move's own work on that database (broken pipe).
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(servers.First.ConnectionStringFor(SourceDatabase(database))) { Pooling = false }.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace " +
                "WHERE t.tgname = 'orleans_social_frozen' AND n.nspname = @schema", connection);
            command.Parameters.AddWithValue("schema", _from == "database" ? "public" : database);
            return (long)(await command.ExecuteScalarAsync())! > 0;
        }
        catch (NpgsqlException)
        {
            // Not frozen (yet), or the whole move finished between two polls: DROP DATABASE … WITH (FORCE) ends
            // this session too, mid-statement (a broken pipe, not a server error). The caller sees the move done.
            return false;
        }
    }

    private async Task<string?> PlacementAsync(string database, string field)
    {
        await using var connection = new NpgsqlConnection(servers.First.ConnectionStringFor(_catalog));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT body->>@field FROM doc_placements WHERE id = @id", connection);
        command.Parameters.AddWithValue("field", field);
        command.Parameters.AddWithValue("id", database);
        return await command.ExecuteScalarAsync() as string;
    }

    private static HttpClient Client(SiloProcess host, string key, string? tenantId = null)
    {
        var client = new HttpClient { BaseAddress = host.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (tenantId is not null)
        {
            client.DefaultRequestHeaders.Add("x-tenant-id", tenantId);
        }

        return client;
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
