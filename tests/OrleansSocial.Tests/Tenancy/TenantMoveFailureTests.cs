using System.Net;
using System.Text.Json;
using Npgsql;
using OrleansSocial.Testing;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Tenancy;

/// <summary>
/// Moves that fail answer a clear problem and leave the tenant writable where it was: a target that
/// refuses the login, one whose user may not create databases, one with nothing listening, and one
/// that dies while the copy runs. A misconfigured server that holds no tenant does not make the silo
/// unready; the operator sees it in <c>GET /admin/servers</c>.
/// </summary>
[Collection(TwoPostgresCollection.Name)]
public sealed class TenantMoveFailureTests(TwoPostgresServers servers) : IAsyncLifetime
{
    private const string OperatorKey = "move-failure-operator-key-0123456789abcdef";
    private const string NoCreateRole = "mover_without_createdb";
    private readonly TempFolder _data = new("orleans-social-move-failure");
    private readonly TempFolder _nothingThere = new("orleans-social-no-server");
    private readonly PostgresServer _doomed = new();
    private readonly PostgresServer _fragile = new();
    private readonly string _catalog = "move_failure_" + Guid.NewGuid().ToString("N")[..10];
    private ApiHost _host = null!;
    private bool _doomedStopped;
    private bool _fragileStopped;

    private ApiClient Api { get; set; } = null!;

    public async Task InitializeAsync()
    {
        await Task.WhenAll(_doomed.InitializeAsync(), _fragile.InitializeAsync());
        await using (var connection = new NpgsqlConnection(servers.First.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"DO $$ BEGIN CREATE ROLE {NoCreateRole} LOGIN NOCREATEDB; EXCEPTION WHEN duplicate_object THEN NULL; END $$", connection);
            await create.ExecuteNonQueryAsync();
        }

        _host = new ApiHost(_data.Path, new Dictionary<string, string?>
        {
            ["Operator:ApiKey"] = OperatorKey,
            ["Storage:Engine"] = "postgres",
            ["Storage:Postgres"] = servers.First.ConnectionStringFor(_catalog),
            ["Storage:ServerName"] = "pg-a",
            // Every new tenant on pg-a; the others only receive moves.
            ["Storage:Servers:pg-b:ConnectionString"] = servers.Second.ConnectionString,
            ["Storage:Servers:pg-b:Weight"] = "0",
            ["Storage:Servers:pg-nologin:ConnectionString"] = new NpgsqlConnectionStringBuilder(servers.Second.ConnectionString) { Username = "no_such_role", Password = "wrong" }.ToString(),
            ["Storage:Servers:pg-nologin:Weight"] = "0",
            ["Storage:Servers:pg-nocreate:ConnectionString"] = new NpgsqlConnectionStringBuilder(servers.First.ConnectionString) { Username = NoCreateRole }.ToString(),
            ["Storage:Servers:pg-nocreate:Weight"] = "0",
            ["Storage:Servers:pg-down:ConnectionString"] = new NpgsqlConnectionStringBuilder(servers.Second.ConnectionString) { Host = _nothingThere.Path, Timeout = 3 }.ToString(),
            ["Storage:Servers:pg-down:Weight"] = "0",
            ["Storage:Servers:pg-doomed:ConnectionString"] = new NpgsqlConnectionStringBuilder(_doomed.ConnectionString) { Timeout = 3 }.ToString(),
            ["Storage:Servers:pg-doomed:Weight"] = "0",
            ["Storage:Servers:pg-fragile:ConnectionString"] = new NpgsqlConnectionStringBuilder(_fragile.ConnectionString) { Timeout = 3 }.ToString(),
            ["Storage:Servers:pg-fragile:Weight"] = "0",
        });
        Api = new ApiClient(_host.CreateHttpClient(), OperatorKey);
    }

    public async Task DisposeAsync()
    {
        Api.Http.Dispose();
        await _host.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        if (!_doomedStopped)
        {
            await _doomed.DisposeAsync();
        }

        if (!_fragileStopped)
        {
            await _fragile.DisposeAsync();
        }

        _data.Dispose();
        _nothingThere.Dispose();
    }

    private async Task<JsonElement> TenantAsync(string id) => await ApiClient.JsonAsync(await Api.OperatorAsync(HttpMethod.Get, $"/admin/tenants/{id}"));

    private async Task AssertWritableWhereItWasAsync(ApiClient.Tenant tenant, string name)
    {
        var placed = await TenantAsync(tenant.Id);
        Assert.Equal("pg-a", placed.GetProperty("server").GetString());
        Assert.Equal(JsonValueKind.Null, placed.GetProperty("movingTo").ValueKind);
        var renamed = await Api.TenantAsync(HttpMethod.Patch, "/api/tenant", tenant.Id, tenant.OwnerKey, new { name });
        Assert.True(renamed.StatusCode == HttpStatusCode.OK, $"{(int)renamed.StatusCode} {await renamed.Content.ReadAsStringAsync()}");
    }

    [Theory]
    [InlineData("pg-nologin", "database")]
    [InlineData("pg-nocreate", "database")]
    [InlineData("pg-down", "database")]
    [InlineData("pg-nologin", "schema")]
    [InlineData("pg-nocreate", "schema")]
    [InlineData("pg-down", "schema")]
    public async Task A_move_to_a_server_that_cannot_take_it_fails_before_anything_is_frozen(string server, string isolation)
    {
        var tenant = await Api.CreateTenantAsync(plan: isolation == "schema" ? "pro" : "enterprise");

        var failed = await ProblemAssert.IsProblemAsync(await Api.OperatorAsync(HttpMethod.Post, $"/admin/tenants/{tenant.Id}/move", new { server, isolation }), 500);

        Assert.Equal("target", failed.GetProperty("step").GetString());
        Assert.Contains("nothing was changed", failed.GetProperty("detail").GetString());
        await AssertWritableWhereItWasAsync(tenant, "Still here after " + server);
        // And it still moves to a good server afterwards.
        Assert.Equal(HttpStatusCode.OK, (await Api.OperatorAsync(HttpMethod.Post, $"/admin/tenants/{tenant.Id}/move", new { server = "pg-b" })).StatusCode);
        Assert.Equal("pg-b", (await TenantAsync(tenant.Id)).GetProperty("server").GetString());
    }

    [Fact]
    public async Task A_target_that_dies_mid_copy_leaves_the_tenant_writable_on_its_server_and_the_silo_ready()
    {
        ApiClient.Tenant? tenant = null;
        Task<HttpResponseMessage>? move = null;
        for (var attempt = 0; attempt < 5 && move is null; attempt++)
        {
            (tenant, move) = await KillTargetMidCopyAsync();
        }

        Assert.NotNull(move);
        var failed = await ProblemAssert.IsProblemAsync(await move, 500);
        Assert.Equal("target", failed.GetProperty("step").GetString());
        await AssertWritableWhereItWasAsync(tenant!, "Survived a dying target");
        Assert.Equal(4, (await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, "/api/members", tenant!.Id, tenant.OwnerKey))).GetProperty("items").GetArrayLength());

        // The dead server and the misconfigured ones hold no tenant: the silo stays ready, the operator sees which is down.
        Assert.Equal(HttpStatusCode.OK, (await Api.Http.GetAsync("/health/ready")).StatusCode);
        var listed = await ApiClient.JsonAsync(await Api.OperatorAsync(HttpMethod.Get, "/admin/servers"));
        var health = listed.GetProperty("items").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!, s => s.GetProperty("healthy").GetBoolean());
        Assert.True(health["pg-a"]);
        Assert.True(health["pg-b"]);
        Assert.False(health["pg-doomed"]);
        Assert.False(health["pg-down"]);
        Assert.False(health["pg-nologin"]);
        Assert.DoesNotContain("no_such_role", listed.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tenants_on_a_server_that_went_down_answer_503_with_retry_after_and_everyone_else_is_served()
    {
        var stranded = await Api.CreateTenantAsync(plan: "enterprise");
        var strandedInSchema = await Api.CreateTenantAsync(plan: "pro");
        var elsewhere = await Api.CreateTenantAsync(plan: "enterprise");
        var elsewhereInSchema = await Api.CreateTenantAsync(plan: "pro");
        Assert.Equal(HttpStatusCode.OK, (await Api.OperatorAsync(HttpMethod.Post, $"/admin/tenants/{stranded.Id}/move", new { server = "pg-fragile" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Api.OperatorAsync(HttpMethod.Post, $"/admin/tenants/{strandedInSchema.Id}/move", new { server = "pg-fragile" })).StatusCode);
        Assert.Equal("schema", (await TenantAsync(strandedInSchema.Id)).GetProperty("isolation").GetString());

        _fragileStopped = true;
        await _fragile.DisposeAsync();

        foreach (var tenant in new[] { stranded, strandedInSchema })
        {
            var refused = await Api.TenantAsync(HttpMethod.Patch, "/api/tenant", tenant.Id, tenant.OwnerKey, new { name = "Nobody home" });
            await ProblemAssert.IsProblemAsync(refused, 503);
            Assert.NotNull(refused.Headers.RetryAfter);
        }

        foreach (var tenant in new[] { elsewhere, elsewhereInSchema })
        {
            Assert.Equal(HttpStatusCode.OK, (await Api.TenantAsync(HttpMethod.Patch, "/api/tenant", tenant.Id, tenant.OwnerKey, new { name = "Served" })).StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await Api.Http.GetAsync("/health/ready")).StatusCode);
    }

    /// <summary>
    /// A tenant with enough rows that its copy takes a while, a move to the doomed server, and the
    /// target server stopped as soon as the copy's database exists there. Null when the move finished
    /// first (it is brought back, and the caller tries again with another tenant).
    /// </summary>
    private async Task<(ApiClient.Tenant?, Task<HttpResponseMessage>?)> KillTargetMidCopyAsync()
    {
        var tenant = await Api.CreateTenantAsync(plan: "enterprise");
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await Api.TenantAsync(HttpMethod.Post, "/api/members", tenant.Id, tenant.OwnerKey, new { email = $"m{i}@{tenant.Id}.test", role = "viewer" })).StatusCode);
        }

        var database = "tenant_" + tenant.Id.Replace('-', '_');
        await using (var connection = new NpgsqlConnection(servers.First.ConnectionStringFor(database)))
        {
            await connection.OpenAsync();
            await using var bulk = new NpgsqlCommand(
                "CREATE TABLE IF NOT EXISTS doc_bulk (id text COLLATE \"C\" NOT NULL PRIMARY KEY, body jsonb NOT NULL);" +
                "INSERT INTO doc_bulk SELECT 'b' || g, jsonb_build_object('n', g, 'pad', repeat('x', 200)) FROM generate_series(1, 400000) g", connection) { CommandTimeout = 120 };
            await bulk.ExecuteNonQueryAsync();
        }

        var move = Api.OperatorAsync(HttpMethod.Post, $"/admin/tenants/{tenant.Id}/move", new { server = "pg-doomed" });
        if (!await WhileMovingAsync(() => _doomed.DatabaseExistsAsync(database), move, TimeSpan.FromSeconds(60), TimeSpan.Zero))
        {
            if ((await move).StatusCode == HttpStatusCode.OK)
            {
                await Api.OperatorAsync(HttpMethod.Post, $"/admin/tenants/{tenant.Id}/move", new { server = "pg-a" });
            }

            return (null, null);
        }

        _doomedStopped = true;
        await _doomed.DisposeAsync();
        return (tenant, move);
    }

    /// <summary>Polls until the condition holds while the move still runs (true), or the move ended or time ran out (false).</summary>
    private static async Task<bool> WhileMovingAsync(Func<Task<bool>> condition, Task move, TimeSpan timeout, TimeSpan interval)
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
}
