using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansSocial.GraphEmulator.World;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Naming;
using OrleansSocial.Tests.Channels;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Hardening;

/// <summary>Input that once poisoned state: refused at the edge with 400 naming the field, nothing written.</summary>
public sealed class PoisonedInputTests(SyncHost host) : IClassFixture<SyncHost>
{
    private const string Page = "fb-100000000000000";

    private ApiClient Api => host.Api;

    private async Task<ApiClient.Tenant> ConnectedTenantAsync()
    {
        var tenant = await Api.CreateTenantAsync();
        Assert.Equal(HttpStatusCode.Created, (await Api.TenantAsync(HttpMethod.Post, "/api/channels/facebook", tenant.Id, tenant.OwnerKey, new { userAccessToken = TokenStore.DemoUserToken })).StatusCode);
        return tenant;
    }

    [Theory]
    [InlineData("""{"kinds":[null]}""", "kinds[0]")]
    [InlineData("""{"kinds":["daily",null]}""", "kinds[1]")]
    [InlineData("""{"kinds":[""]}""", "kinds[0]")]
    [InlineData("""{"kinds":["hourly"]}""", "kinds[0]")]
    public async Task A_sync_with_a_bad_kind_is_400_naming_it_and_starts_no_run(string body, string field)
    {
        var tenant = await ConnectedTenantAsync();

        var problem = await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Post, $"/api/channels/{Page}/sync", tenant.Id, tenant.OwnerKey, body), 400);

        Assert.Equal(field, problem.GetProperty("field").GetString());
        var runs = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, $"/api/channels/{Page}/sync-runs", tenant.Id, tenant.OwnerKey));
        Assert.Equal(0, runs.GetProperty("items").GetArrayLength());
        Assert.Equal(HttpStatusCode.Accepted, (await Api.TenantAsync(HttpMethod.Post, $"/api/channels/{Page}/sync", tenant.Id, tenant.OwnerKey, new { kinds = new[] { "daily" } })).StatusCode);
    }

    [Theory]
    [InlineData("""{"email":"a@b.test","role":null}""", "role")]
    [InlineData("""{"email":null,"role":"viewer"}""", "email")]
    [InlineData("""{"email":"a@b.test","role":"viewer","permissions":[null]}""", "permissions[0]")]
    [InlineData("""{"email":"a@b.test","role":"viewer","permissions":["channels:read",null]}""", "permissions[1]")]
    [InlineData("""{"email":"\u200b","role":"viewer"}""", "email")]
    public async Task A_member_with_null_or_invisible_fields_is_400_naming_the_field(string body, string field)
    {
        var tenant = await Api.CreateTenantAsync();

        var problem = await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Post, "/api/members", tenant.Id, tenant.OwnerKey, body), 400);

        Assert.Equal(field, problem.GetProperty("field").GetString());
        var members = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, "/api/members", tenant.Id, tenant.OwnerKey));
        Assert.Equal(1, members.GetProperty("items").GetArrayLength());
    }

    [Theory]
    [InlineData("\u200b\u200b")]
    [InlineData("\u202e\u2066")]
    [InlineData("\u3164")]
    [InlineData("   ")]
    [InlineData("Acme\u202eoC")]
    [InlineData("a\u0007b")]
    public async Task A_tenant_name_without_a_visible_character_or_with_direction_overrides_is_400(string name)
    {
        var tenant = await Api.CreateTenantAsync();

        var problem = await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Patch, "/api/tenant", tenant.Id, tenant.OwnerKey, new { name }), 400);
        Assert.Equal("name", problem.GetProperty("field").GetString());
        var created = await Api.OperatorAsync(HttpMethod.Post, "/admin/tenants", new { id = "t-" + Guid.NewGuid().ToString("N")[..10], name, ownerEmail = "o@x.test" });
        Assert.Equal("name", (await ProblemAssert.IsProblemAsync(created, 400)).GetProperty("field").GetString());
    }

    [Theory]
    [InlineData("until=0001-01-01T00:00:00Z", "until")]
    [InlineData("since=0001-01-01T00:00:00Z", "since")]
    [InlineData("until=9999-12-31T23:59:59Z", "until")]
    [InlineData("since=1969-12-31T00:00:00Z&until=1970-01-02T00:00:00Z", "since")]
    public async Task Overview_dates_out_of_range_are_400(string query, string field)
    {
        var tenant = await Api.CreateTenantAsync();

        var problem = await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Get, $"/api/analytics/overview?{query}", tenant.Id, tenant.OwnerKey), 400);
        Assert.Equal(field, problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task Limits_with_nulls_or_out_of_range_numbers_are_400_and_change_nothing()
    {
        var tenant = await Api.CreateTenantAsync(plan: "pro");

        await ProblemAssert.IsProblemAsync(await Api.OperatorAsync(HttpMethod.Patch, $"/admin/tenants/{tenant.Id}", """{"limits":{"members":-5}}"""), 400);
        await ProblemAssert.IsProblemAsync(await Api.OperatorAsync(HttpMethod.Patch, $"/admin/tenants/{tenant.Id}", """{"limits":{"apiRequestsPerMinute":0}}"""), 400);
        await ProblemAssert.IsProblemAsync(await Api.OperatorAsync(HttpMethod.Patch, $"/admin/tenants/{tenant.Id}", """{"limits":{"members":99999999999}}"""), 400);
        await ProblemAssert.IsProblemAsync(await Api.OperatorAsync(HttpMethod.Patch, $"/admin/tenants/{tenant.Id}", """{"plan":""}"""), 400);

        var view = await ApiClient.JsonAsync(await Api.OperatorAsync(HttpMethod.Get, $"/admin/tenants/{tenant.Id}"));
        Assert.Equal("pro", view.GetProperty("plan").GetString());
        Assert.Equal(50, view.GetProperty("limits").GetProperty("members").GetInt32());
    }

    [Theory]
    [InlineData("SiloProperties/abc")]
    [InlineData("SiloStats/127.0.0.1")]
    [InlineData("HistoricalStats/not-a-silo")]
    [InlineData("SiloCounters/S1.2.3:x:y")]
    public async Task A_dashboard_silo_address_that_does_not_parse_is_400_not_500(string path)
    {
        var response = await Api.OperatorAsync(HttpMethod.Get, "/dashboard/" + path);

        var problem = await ProblemAssert.IsProblemAsync(response, 400);
        Assert.Equal("address", problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task The_tenant_answer_to_a_settings_change_counts_its_channels()
    {
        var tenant = await ConnectedTenantAsync();

        var changed = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Patch, "/api/tenant", tenant.Id, tenant.OwnerKey, new { timeZone = "Europe/Paris" }));
        var read = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, tenant.OwnerKey));

        Assert.True(read.GetProperty("usage").GetProperty("channels").GetInt32() > 0);
        Assert.Equal(read.GetProperty("usage").GetProperty("channels").GetInt32(), changed.GetProperty("usage").GetProperty("channels").GetInt32());
    }
}

/// <summary>Grains activate whatever their stored record holds; a damaged tenant can always be deleted.</summary>
public sealed class DamagedRecordTests
{
    private const string OperatorKey = "test-operator-key-damaged-0123456789abcdef";
    private const string Page = "fb-100000000000000";

    private static Dictionary<string, string?> Settings() => new()
    {
        ["Operator:ApiKey"] = OperatorKey,
        ["Sync:InitialSyncWindow"] = "1.00:00:00",
    };

    private static async Task<(ApiClient.Tenant Tenant, IDocumentCollection Channels, IDocumentCollection Runs)> ConnectAsync(ApiHost host, ApiClient api)
    {
        var tenant = await api.CreateTenantAsync();
        Assert.Equal(HttpStatusCode.Created, (await api.TenantAsync(HttpMethod.Post, "/api/channels/facebook", tenant.Id, tenant.OwnerKey, new { userAccessToken = TokenStore.DemoUserToken })).StatusCode);
        var database = host.Services.GetRequiredService<IDocumentStore>().GetDatabase(StorageNames.TenantDatabase(tenant.Id));
        return (tenant, database.GetCollection("channels"), database.GetCollection("sync_runs"));
    }

    [Fact]
    public async Task A_channel_pointing_at_a_damaged_run_activates_after_a_restart_closes_the_run_and_syncs_again()
    {
        using var data = new TempFolder();
        ApiClient.Tenant tenant;
        await using (var first = new ApiHost(data.Path, Settings()))
        {
            var api = new ApiClient(first.CreateHttpClient(), OperatorKey);
            (tenant, var channels, var runs) = await ConnectAsync(first, api);
            // What a run started with kinds [null] left behind, before the edge refused such input.
            await runs.UpsertAsync("poisoned-run", JsonDocument.Parse($$"""
                {"channelId":"{{Page}}","run":{"syncRunId":"poisoned-run","trigger":"manual","kinds":[null],"startedAt":"2026-01-01T00:00:00+00:00","status":"running","graphCalls":0,"itemsWritten":0},
                 "startedAt":"20260101T000000000Z","phases":["profile"],"phasesDone":[],"dues":{},"priority":"manual"}
                """).RootElement, CancellationToken.None);
            var channel = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>((await channels.GetAsync(Page, CancellationToken.None))!.Value)!;
            channel["activeRunId"] = JsonSerializer.SerializeToElement("poisoned-run");
            await channels.UpsertAsync(Page, JsonSerializer.SerializeToElement(channel), CancellationToken.None);
        }

        await using var second = new ApiHost(data.Path, Settings());
        var again = new ApiClient(second.CreateHttpClient(), OperatorKey);

        var list = await again.TenantAsync(HttpMethod.Get, "/api/channels", tenant.Id, tenant.OwnerKey);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Contains((await ApiClient.JsonAsync(list)).GetProperty("items").EnumerateArray(), c => c.GetProperty("channelId").GetString() == Page);
        var history = await ApiClient.JsonAsync(await again.TenantAsync(HttpMethod.Get, $"/api/channels/{Page}/sync-runs", tenant.Id, tenant.OwnerKey));
        var closed = history.GetProperty("items").EnumerateArray().Single(r => r.GetProperty("syncRunId").GetString() == "poisoned-run");
        Assert.Equal("failed", closed.GetProperty("status").GetString());
        var restarted = await ApiClient.JsonAsync(await again.TenantAsync(HttpMethod.Post, $"/api/channels/{Page}/sync", tenant.Id, tenant.OwnerKey, new { kinds = new[] { "daily" } }));
        Assert.NotEqual("poisoned-run", restarted.GetProperty("syncRunId").GetString());
        Assert.Equal(HttpStatusCode.Accepted, (await again.OperatorAsync(HttpMethod.Delete, $"/admin/tenants/{tenant.Id}", headers: new Dictionary<string, string> { ["x-confirm-delete"] = tenant.Id })).StatusCode);
    }

    [Fact]
    public async Task A_channel_whose_open_run_cannot_be_read_for_a_moment_activates_keeps_the_run_open_and_continues_it()
    {
        using var data = new TempFolder();
        ApiClient.Tenant tenant;
        await using (var first = new ApiHost(data.Path, Settings()))
        {
            var api = new ApiClient(first.CreateHttpClient(), OperatorKey);
            (tenant, var channels, var runs) = await ConnectAsync(first, api);
            var done = await ApiClient.JsonAsync(await api.TenantAsync(HttpMethod.Post, $"/api/channels/{Page}/sync", tenant.Id, tenant.OwnerKey, new { kinds = new[] { "daily" } }));
            var doneId = done.GetProperty("syncRunId").GetString()!;
            await Eventually.ValueAsync(
                async () => (await runs.GetAsync(doneId, CancellationToken.None))!.Value.GetProperty("isOpen").GetBoolean(),
                isOpen => !isOpen,
                TimeSpan.FromSeconds(60));

            // The same run as its silo died with it: open, nothing done yet, the channel pointing at it.
            var open = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>((await runs.GetAsync(doneId, CancellationToken.None))!.Value)!;
            var run = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(open["run"])!;
            run["syncRunId"] = JsonSerializer.SerializeToElement("held-run");
            run["status"] = JsonSerializer.SerializeToElement("running");
            run["finishedAt"] = JsonSerializer.SerializeToElement<string?>(null);
            open["run"] = JsonSerializer.SerializeToElement(run);
            open["isOpen"] = JsonSerializer.SerializeToElement(true);
            open["phasesDone"] = JsonSerializer.SerializeToElement(Array.Empty<string>());
            await runs.UpsertAsync("held-run", JsonSerializer.SerializeToElement(open), CancellationToken.None);
            var channel = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>((await channels.GetAsync(Page, CancellationToken.None))!.Value)!;
            channel["activeRunId"] = JsonSerializer.SerializeToElement("held-run");
            await channels.UpsertAsync(Page, JsonSerializer.SerializeToElement(channel), CancellationToken.None);
        }

        // The next process activates the channel while its database cannot read the run (out of connections, say).
        PausingStore store = null!;
        await using var second = new ApiHost(data.Path, Settings(), PausingStore.Install("sync_runs", s =>
        {
            store = s;
            s.FailReads(new StorageBusyException("tenant", TimeSpan.FromSeconds(2), new TimeoutException("no connection left")));
        }));
        var again = new ApiClient(second.CreateHttpClient(), OperatorKey);

        Assert.Equal(HttpStatusCode.OK, (await again.TenantAsync(HttpMethod.Get, $"/api/channels/{Page}", tenant.Id, tenant.OwnerKey)).StatusCode);
        var history = await ApiClient.JsonAsync(await again.TenantAsync(HttpMethod.Get, $"/api/channels/{Page}/sync-runs", tenant.Id, tenant.OwnerKey));
        Assert.Equal("running", history.GetProperty("items").EnumerateArray().Single(r => r.GetProperty("syncRunId").GetString() == "held-run").GetProperty("status").GetString());
        Assert.Contains(second.Logs.Lines, l => l.Contains("is left open at activation", StringComparison.Ordinal));

        // Readable again: asking for a sync continues the open run rather than starting another beside it.
        store.FailReads(null);
        var continued = await ApiClient.JsonAsync(await again.TenantAsync(HttpMethod.Post, $"/api/channels/{Page}/sync", tenant.Id, tenant.OwnerKey, new { kinds = new[] { "daily" } }));
        Assert.Equal("held-run", continued.GetProperty("syncRunId").GetString());
        await Eventually.ValueAsync(
            async () => (await ApiClient.JsonAsync(await again.TenantAsync(HttpMethod.Get, $"/api/channels/{Page}/sync-runs", tenant.Id, tenant.OwnerKey)))
                .GetProperty("items").EnumerateArray().Single(r => r.GetProperty("syncRunId").GetString() == "held-run").GetProperty("status").GetString(),
            status => status == "succeeded",
            TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task A_damaged_channel_record_reads_as_missing_and_its_tenant_can_still_be_deleted()
    {
        using var data = new TempFolder();
        ApiClient.Tenant tenant;
        await using (var first = new ApiHost(data.Path, Settings()))
        {
            var api = new ApiClient(first.CreateHttpClient(), OperatorKey);
            (tenant, var channels, _) = await ConnectAsync(first, api);
            await channels.UpsertAsync(Page, JsonDocument.Parse("""{"channelId":5,"schedule":"nope"}""").RootElement, CancellationToken.None);
        }

        await using var second = new ApiHost(data.Path, Settings());
        var again = new ApiClient(second.CreateHttpClient(), OperatorKey);

        Assert.Equal(HttpStatusCode.OK, (await again.TenantAsync(HttpMethod.Get, "/api/channels", tenant.Id, tenant.OwnerKey)).StatusCode);
        await ProblemAssert.IsProblemAsync(await again.TenantAsync(HttpMethod.Get, $"/api/channels/{Page}", tenant.Id, tenant.OwnerKey), 404);
        Assert.Contains(second.Logs.Lines, l => l.Contains("damaged record", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Accepted, (await again.OperatorAsync(HttpMethod.Delete, $"/admin/tenants/{tenant.Id}", headers: new Dictionary<string, string> { ["x-confirm-delete"] = tenant.Id })).StatusCode);
        await ProblemAssert.IsProblemAsync(await again.OperatorAsync(HttpMethod.Get, $"/admin/tenants/{tenant.Id}"), 404);
    }

    [Fact]
    public async Task A_tenant_whose_database_is_gone_answers_and_can_be_deleted()
    {
        using var data = new TempFolder();
        ApiClient.Tenant tenant;
        string databaseFile;
        await using (var first = new ApiHost(data.Path, Settings()))
        {
            var api = new ApiClient(first.CreateHttpClient(), OperatorKey);
            tenant = await api.CreateTenantAsync();
            databaseFile = Directory.GetFiles(data.Path, StorageNames.TenantDatabase(tenant.Id) + ".db", SearchOption.AllDirectories).Single();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(databaseFile)!, Path.GetFileName(databaseFile) + "*"))
        {
            File.Delete(file);
        }

        await using var second = new ApiHost(data.Path, Settings());
        var again = new ApiClient(second.CreateHttpClient(), OperatorKey);

        Assert.Equal(HttpStatusCode.OK, (await again.OperatorAsync(HttpMethod.Get, $"/admin/tenants/{tenant.Id}")).StatusCode);
        await ProblemAssert.IsProblemAsync(await again.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, tenant.OwnerKey), 401);
        Assert.Equal(HttpStatusCode.Accepted, (await again.OperatorAsync(HttpMethod.Delete, $"/admin/tenants/{tenant.Id}", headers: new Dictionary<string, string> { ["x-confirm-delete"] = tenant.Id })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await again.OperatorAsync(HttpMethod.Post, "/admin/tenants", new { id = tenant.Id, name = "Again", ownerEmail = "o@x.test" })).StatusCode);
    }
}
