using System.Net;
using System.Text.Json;
using Npgsql;
using OrleansSocial.GraphEmulator.World;
using OrleansSocial.Storage.Placement;
using OrleansSocial.Storage.Postgres;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Tenancy;

/// <summary>Every tenant in a database of its own.</summary>
[Collection(TwoPostgresCollection.Name)]
public sealed class TenantPlacementOnDatabasesTests(TwoPostgresServers servers) : TenantPlacementTests(servers)
{
    protected override string Isolation => Isolations.Database;
}

/// <summary>Every tenant a schema of its own in a database shared with others.</summary>
[Collection(TwoPostgresCollection.Name)]
public sealed class TenantPlacementOnSchemasTests(TwoPostgresServers servers) : TenantPlacementTests(servers)
{
    protected override string Isolation => Isolations.Schema;
}

/// <summary>
/// The real host on two PostgreSQL servers, with every tenant in one isolation tier (each subclass
/// one): tenants land on both servers, every kind of route works for a tenant on either, the operator
/// sees and moves them between servers and between tiers, and a move under concurrent reads loses
/// nothing: reads answer throughout, writes answer 503 + Retry-After or land after the switch.
/// </summary>
public abstract class TenantPlacementTests(TwoPostgresServers servers) : IAsyncLifetime
{
    /// <summary>The tier every plan's tenants get in this run.</summary>
    protected abstract string Isolation { get; }

    private string OtherIsolation => Isolation == Isolations.Database ? Isolations.Schema : Isolations.Database;

    private const string OperatorKey = "placement-operator-key-0123456789abcdef";
    private readonly TempFolder _data = new("orleans-social-placement");
    private readonly string _catalog = "placement_api_" + Guid.NewGuid().ToString("N")[..10];
    private ApiHost _host = null!;

    private ApiClient Api { get; set; } = null!;

    public Task InitializeAsync()
    {
        _host = new ApiHost(_data.Path, new Dictionary<string, string?>
        {
            ["Operator:ApiKey"] = OperatorKey,
            ["Storage:Engine"] = "postgres",
            ["Storage:Postgres"] = servers.First.ConnectionStringFor(_catalog),
            ["Storage:ServerName"] = "pg-a",
            ["Storage:Servers:pg-b:ConnectionString"] = servers.Second.ConnectionString,
            ["Storage:Servers:pg-b:Weight"] = "1",
            ["Isolation:Plans:free"] = Isolation,
            ["Isolation:Plans:starter"] = Isolation,
            ["Isolation:Plans:pro"] = Isolation,
            ["Isolation:Plans:enterprise"] = Isolation,
        });
        Api = new ApiClient(_host.CreateHttpClient(), OperatorKey);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        Api.Http.Dispose();
        await _host.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        _data.Dispose();
    }

    private async Task<string> ServerOfAsync(string tenantId) =>
        (await ApiClient.JsonAsync(await Api.OperatorAsync(HttpMethod.Get, $"/admin/tenants/{tenantId}"))).GetProperty("server").GetString()!;

    /// <summary>Tenants until one sits on each server (equal weights: they alternate).</summary>
    private async Task<Dictionary<string, ApiClient.Tenant>> OnePerServerAsync(string plan = "pro")
    {
        var byServer = new Dictionary<string, ApiClient.Tenant>();
        for (var i = 0; i < 6 && byServer.Count < 2; i++)
        {
            var tenant = await Api.CreateTenantAsync(plan: plan);
            byServer.TryAdd(await ServerOfAsync(tenant.Id), tenant);
        }

        Assert.Equal(["pg-a", "pg-b"], byServer.Keys.Order());
        return byServer;
    }

    private async Task<HttpResponseMessage> CallAsync(ApiClient.Tenant tenant, HttpMethod method, string path, object? body = null) =>
        await Api.TenantAsync(method, path, tenant.Id, tenant.OwnerKey, body);

    private async Task<JsonElement> OkJsonAsync(ApiClient.Tenant tenant, HttpMethod method, string path, object? body = null, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await CallAsync(tenant, method, path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{method} {path} on {tenant.Id}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    private Task<bool> ExistsAsync(OrleansSocial.Testing.PostgresServer server, string tenantId) => ExistsAsync(server, tenantId, Isolation);

    /// <summary>Whether the server holds the tenant's data in that tier: its database, or its schema in the (first) shared database.</summary>
    private static async Task<bool> ExistsAsync(OrleansSocial.Testing.PostgresServer server, string tenantId, string isolation)
    {
        var name = "tenant_" + tenantId.Replace('-', '_');
        return isolation == Isolations.Database ? await server.DatabaseExistsAsync(name) : await server.SchemaExistsAsync(name);
    }

    [Fact]
    public async Task Every_kind_of_route_works_for_tenants_on_either_server()
    {
        var byServer = await OnePerServerAsync();
        Assert.True(await ExistsAsync(servers.First, byServer["pg-a"].Id) && !await ExistsAsync(servers.Second, byServer["pg-a"].Id));
        Assert.True(await ExistsAsync(servers.Second, byServer["pg-b"].Id) && !await ExistsAsync(servers.First, byServer["pg-b"].Id));

        foreach (var (server, tenant) in byServer)
        {
            await OkJsonAsync(tenant, HttpMethod.Get, "/api/tenant");
            await OkJsonAsync(tenant, HttpMethod.Patch, "/api/tenant", new { name = "Renamed on " + server });
            await OkJsonAsync(tenant, HttpMethod.Post, "/api/members", new { email = $"editor@{tenant.Id}.test", role = "editor" }, HttpStatusCode.Created);
            Assert.Equal(2, (await OkJsonAsync(tenant, HttpMethod.Get, "/api/members")).GetProperty("items").GetArrayLength());
            await OkJsonAsync(tenant, HttpMethod.Post, "/api/channels/facebook", new { userAccessToken = TokenStore.DemoUserToken }, HttpStatusCode.Created);
            var channel = (await OkJsonAsync(tenant, HttpMethod.Get, "/api/channels")).GetProperty("items")[0].GetProperty("channelId").GetString()!;
            await OkJsonAsync(tenant, HttpMethod.Get, $"/api/channels/{channel}");
            await OkJsonAsync(tenant, HttpMethod.Post, $"/api/channels/{channel}/sync", new { kinds = new[] { "daily" } }, HttpStatusCode.Accepted);
            await Eventually.UntilAsync(async () => (await OkJsonAsync(tenant, HttpMethod.Get, $"/api/channels/{channel}/sync-runs")).GetProperty("items")
                .EnumerateArray().Any(r => r.GetProperty("status").GetString() == "succeeded"), TimeSpan.FromSeconds(60));
            Assert.True((await OkJsonAsync(tenant, HttpMethod.Get, $"/api/channels/{channel}/posts")).GetProperty("items").GetArrayLength() > 0);
            await OkJsonAsync(tenant, HttpMethod.Get, $"/api/channels/{channel}/profile");
            await OkJsonAsync(tenant, HttpMethod.Get, $"/api/channels/{channel}/insights");
            await OkJsonAsync(tenant, HttpMethod.Get, "/api/analytics/overview");
            var text = $"Placed on {server} {Guid.NewGuid():N}";
            var post = (await OkJsonAsync(tenant, HttpMethod.Post, "/api/posts", new { channelIds = new[] { channel }, text, scheduledAt = DateTimeOffset.UtcNow.AddHours(1) }, HttpStatusCode.Created))
                .GetProperty("postId").GetString()!;
            await OkJsonAsync(tenant, HttpMethod.Post, $"/api/posts/{post}/publish-now");
            await Eventually.UntilAsync(async () => (await OkJsonAsync(tenant, HttpMethod.Get, $"/api/posts/{post}")).GetProperty("status").GetString() == "published", TimeSpan.FromSeconds(60));
            await OkJsonAsync(tenant, HttpMethod.Get, "/api/posts");
            await OkJsonAsync(tenant, HttpMethod.Get, "/api/webhooks");
            var audit = await OkJsonAsync(tenant, HttpMethod.Get, "/api/audit");
            Assert.Contains(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("action").GetString() == "member.added");
            await OkJsonAsync(tenant, HttpMethod.Delete, $"/api/channels/{channel}", null, HttpStatusCode.NoContent);
        }

        var listed = await ApiClient.JsonAsync(await Api.OperatorAsync(HttpMethod.Get, "/admin/servers"));
        var names = listed.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("name").GetString()).ToList();
        Assert.Equal(["pg-a", "pg-b"], names);
        Assert.DoesNotContain("Host=", listed.GetRawText(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(servers.First.SocketFolder, listed.GetRawText(), StringComparison.Ordinal);

        // Deleting a tenant drops its database on its own server.
        foreach (var tenant in byServer.Values)
        {
            using var delete = new HttpRequestMessage(HttpMethod.Delete, $"/admin/tenants/{tenant.Id}");
            delete.Headers.Add("x-confirm-delete", tenant.Id);
            delete.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", OperatorKey);
            Assert.Equal(HttpStatusCode.Accepted, (await Api.Http.SendAsync(delete)).StatusCode);
            Assert.False(await ExistsAsync(servers.First, tenant.Id) || await ExistsAsync(servers.Second, tenant.Id));
        }
    }

    [Fact]
    public async Task A_move_under_concurrent_reads_and_writes_loses_nothing_and_ends_on_the_new_server()
    {
        // Enterprise: no member limit for the writer to run into.
        var tenant = (await OnePerServerAsync("enterprise"))["pg-a"];
        await OkJsonAsync(tenant, HttpMethod.Post, "/api/channels/facebook", new { userAccessToken = TokenStore.DemoUserToken }, HttpStatusCode.Created);
        for (var i = 0; i < 5; i++)
        {
            await OkJsonAsync(tenant, HttpMethod.Post, "/api/members", new { email = $"m{i}@{tenant.Id}.test", role = "viewer" }, HttpStatusCode.Created);
        }

        var channels = (await OkJsonAsync(tenant, HttpMethod.Get, "/api/channels")).GetProperty("items").GetArrayLength();
        using var stop = new CancellationTokenSource();
        var failures = new List<string>();
        var refusals = 0;
        var accepted = new List<string>();
        var readers = Enumerable.Range(0, 3).Select(r => Task.Run(async () =>
        {
            var reads = 0;
            while (!stop.IsCancellationRequested)
            {
                foreach (var path in new[] { "/api/tenant", "/api/members", "/api/channels", "/api/audit" })
                {
                    var response = await CallAsync(tenant, HttpMethod.Get, path);
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        var failure = $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                        lock (failures)
                        {
                            failures.Add(failure);
                        }
                    }

                    reads++;
                }
            }

            return reads;
        })).ToList();
        var writer = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var email = $"w{i}@{tenant.Id}.test";
                var response = await CallAsync(tenant, HttpMethod.Post, "/api/members", new { email, role = "viewer" });
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    lock (accepted)
                    {
                        accepted.Add(email);
                    }
                }
                else if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    var problem = await ApiClient.JsonAsync(response);
                    Assert.EndsWith("tenant-moving", problem.GetProperty("type").GetString());
                    Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
                    Interlocked.Increment(ref refusals);
                }
                else
                {
                    var failure = $"POST /api/members: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                    lock (failures)
                    {
                        failures.Add(failure);
                    }
                }
            }
        });

        // Readers and the writer are going before the move starts.
        await Eventually.UntilAsync(() => Task.FromResult(accepted.Count >= 2), TimeSpan.FromSeconds(30));
        var moved = await ApiClient.JsonAsync(await Api.OperatorAsync(HttpMethod.Post, $"/admin/tenants/{tenant.Id}/move", new { server = "pg-b" }));
        await Eventually.UntilAsync(() => Task.FromResult(accepted.Count >= 4), TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        var reads = (await Task.WhenAll(readers)).Sum();
        await writer;

        Assert.Empty(failures);
        Assert.True(reads > 20, $"only {reads} reads ran");
        Assert.Equal(("pg-a", "pg-b"), (moved.GetProperty("from").GetString(), moved.GetProperty("to").GetString()));
        Assert.Equal("pg-b", await ServerOfAsync(tenant.Id));
        Assert.False(await ExistsAsync(servers.First, tenant.Id));
        Assert.True(await ExistsAsync(servers.Second, tenant.Id));

        // Every write that was answered 201 is there, before and after the move; the 503s left nothing.
        // Every page: a quick writer gets more than one page of members in.
        var members = new List<string?>();
        for (string? cursor = null; ;)
        {
            var page = await OkJsonAsync(tenant, HttpMethod.Get, "/api/members?limit=100" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"));
            members.AddRange(page.GetProperty("items").EnumerateArray().Select(m => m.GetProperty("email").GetString()));
            if (!page.TryGetProperty("nextCursor", out var next) || next.ValueKind != System.Text.Json.JsonValueKind.String)
            {
                break;
            }

            cursor = next.GetString();
        }

        Assert.Equal(1 + 5 + accepted.Count, members.Count);
        Assert.All(accepted, email => Assert.Contains(email, members));
        Assert.Equal(channels, (await OkJsonAsync(tenant, HttpMethod.Get, "/api/channels")).GetProperty("items").GetArrayLength());
        Assert.Contains((await OkJsonAsync(tenant, HttpMethod.Get, "/api/audit?limit=100")).GetProperty("items").EnumerateArray(),
            e => e.GetProperty("action").GetString() == "tenant.moved");
    }

    [Fact]
    public async Task Writes_to_a_frozen_tenant_answer_503_with_retry_after_and_reads_answer()
    {
        var tenant = (await OnePerServerAsync())["pg-b"];
        await using var raw = RawStoreOn(servers.Second);
        var database = "tenant_" + tenant.Id.Replace('-', '_');
        await raw.FreezeAsync(database, OrleansSocial.ReadModels.Collections.InTenantDatabase, CancellationToken.None);
        try
        {
            foreach (var (method, path, body) in new (HttpMethod, string, object?)[]
            {
                (HttpMethod.Patch, "/api/tenant", new { name = "Not now" }),
                (HttpMethod.Post, "/api/members", new { email = $"late@{tenant.Id}.test", role = "viewer" }),
                (HttpMethod.Post, "/api/posts", new { channelIds = Array.Empty<string>(), text = "draft" }),
            })
            {
                var response = await CallAsync(tenant, method, path, body);
                var text = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable || (path == "/api/posts" && response.StatusCode == HttpStatusCode.BadRequest), $"{method} {path}: {(int)response.StatusCode} {text}");
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    Assert.Contains("tenant-moving", text);
                    Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
                }
            }

            Assert.Equal($"Tenant {tenant.Id}", (await OkJsonAsync(tenant, HttpMethod.Get, "/api/tenant")).GetProperty("name").GetString());
            Assert.Single((await OkJsonAsync(tenant, HttpMethod.Get, "/api/members")).GetProperty("items").EnumerateArray());
        }
        finally
        {
            await raw.ThawAsync(database, CancellationToken.None);
        }

        await OkJsonAsync(tenant, HttpMethod.Patch, "/api/tenant", new { name = "Now" });
        Assert.Equal("Now", (await OkJsonAsync(tenant, HttpMethod.Get, "/api/tenant")).GetProperty("name").GetString());
    }

    private RawStore RawStoreOn(OrleansSocial.Testing.PostgresServer server) => Isolation == Isolations.Database
        ? new RawStore(new PostgresDocumentStore(new PostgresStoreOptions { ConnectionString = server.ConnectionString }))
        : new RawStore(new PostgresSchemaStore(new PostgresSchemaStoreOptions { ConnectionString = server.ConnectionString }));

    /// <summary>The engine's own tier store on a server, outside the host (freezing a tenant as a move does).</summary>
    private sealed class RawStore(IDatabaseMoves moves) : IAsyncDisposable
    {
        public Task FreezeAsync(string database, IReadOnlyCollection<string> collections, CancellationToken cancellationToken) => moves.FreezeAsync(database, collections, cancellationToken);

        public Task ThawAsync(string database, CancellationToken cancellationToken) => moves.ThawAsync(database, cancellationToken);

        public ValueTask DisposeAsync() => ((IAsyncDisposable)moves).DisposeAsync();
    }

    [Fact]
    public async Task A_tenant_moves_to_the_other_tier_and_back_with_all_its_data_and_the_plan_proposes_its_default()
    {
        var tenant = (await OnePerServerAsync())["pg-a"];
        await OkJsonAsync(tenant, HttpMethod.Post, "/api/members", new { email = $"editor@{tenant.Id}.test", role = "editor" }, HttpStatusCode.Created);
        var before = await Api.OperatorAsync(HttpMethod.Get, $"/admin/tenants/{tenant.Id}");
        var shown = await ApiClient.JsonAsync(before);
        Assert.Equal(Isolation, shown.GetProperty("isolation").GetString());
        Assert.Equal(JsonValueKind.Null, shown.GetProperty("proposedIsolation").ValueKind);

        var moved = await ApiClient.JsonAsync(await Api.OperatorAsync(HttpMethod.Post, $"/admin/tenants/{tenant.Id}/move", new { isolation = OtherIsolation }));

        Assert.Equal((Isolation, OtherIsolation, "pg-a", "pg-a"), (moved.GetProperty("fromIsolation").GetString(), moved.GetProperty("toIsolation").GetString(),
            moved.GetProperty("from").GetString(), moved.GetProperty("to").GetString()));
        Assert.True(moved.GetProperty("documents").GetInt64() > 0);
        Assert.True(await ExistsAsync(servers.First, tenant.Id, OtherIsolation));
        Assert.False(await ExistsAsync(servers.First, tenant.Id, Isolation));
        Assert.Equal(2, (await OkJsonAsync(tenant, HttpMethod.Get, "/api/members")).GetProperty("items").GetArrayLength());
        await OkJsonAsync(tenant, HttpMethod.Patch, "/api/tenant", new { name = "Written after the move" });
        var after = await ApiClient.JsonAsync(await Api.OperatorAsync(HttpMethod.Get, $"/admin/tenants/{tenant.Id}"));
        Assert.Equal(OtherIsolation, after.GetProperty("isolation").GetString());
        // The plan's default is the other tier now: proposed, not done.
        Assert.Equal(Isolation, after.GetProperty("proposedIsolation").GetString());

        // Server and tier at once: back to this run's tier, on the other server.
        var back = await ApiClient.JsonAsync(await Api.OperatorAsync(HttpMethod.Post, $"/admin/tenants/{tenant.Id}/move", new { server = "pg-b", isolation = Isolation }));
        Assert.Equal((OtherIsolation, Isolation, "pg-b"), (back.GetProperty("fromIsolation").GetString(), back.GetProperty("toIsolation").GetString(), back.GetProperty("to").GetString()));
        Assert.True(await ExistsAsync(servers.Second, tenant.Id));
        Assert.False(await ExistsAsync(servers.First, tenant.Id, OtherIsolation));
        Assert.Equal("Written after the move", (await OkJsonAsync(tenant, HttpMethod.Get, "/api/tenant")).GetProperty("name").GetString());
        Assert.Equal(2, (await OkJsonAsync(tenant, HttpMethod.Get, "/api/members")).GetProperty("items").GetArrayLength());

        var refused = await Api.OperatorAsync(HttpMethod.Post, $"/admin/tenants/{tenant.Id}/move", new { isolation = "table" });
        Assert.Equal("isolation", (await ProblemAssert.IsProblemAsync(refused, 400)).GetProperty("field").GetString());
    }

    [Fact]
    public async Task A_move_that_cannot_be_done_says_why_and_changes_nothing()
    {
        var tenant = (await OnePerServerAsync())["pg-a"];
        async Task<(HttpStatusCode, string)> MoveAsync(string id, object body)
        {
            var response = await Api.OperatorAsync(HttpMethod.Post, $"/admin/tenants/{id}/move", body);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        var (status, text) = await MoveAsync(tenant.Id, new { server = "pg-z" });
        Assert.True(status == HttpStatusCode.BadRequest && text.Contains("pg-z", StringComparison.Ordinal), text);
        (status, text) = await MoveAsync(tenant.Id, new { server = "pg-a" });
        Assert.True(status == HttpStatusCode.Conflict && text.Contains("already", StringComparison.Ordinal), text);
        (status, text) = await MoveAsync(tenant.Id, new { server = (string?)null });
        Assert.True(status == HttpStatusCode.BadRequest && text.Contains("server", StringComparison.OrdinalIgnoreCase), text);
        (status, text) = await MoveAsync("no-such-tenant", new { server = "pg-b" });
        Assert.True(status == HttpStatusCode.NotFound, text);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.TenantAsync(HttpMethod.Post, $"/admin/tenants/{tenant.Id}/move", tenant.Id, tenant.OwnerKey, new { server = "pg-b" })).StatusCode);
        Assert.Equal("pg-a", await ServerOfAsync(tenant.Id));
        await OkJsonAsync(tenant, HttpMethod.Patch, "/api/tenant", new { name = "Still writable" });
    }
}
