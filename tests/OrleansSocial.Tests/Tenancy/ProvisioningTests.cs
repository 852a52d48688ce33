using System.Net;
using System.Text.Json;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Tenancy;

public sealed class ProvisioningTests(TenancyHost host) : IClassFixture<TenancyHost>
{
    private ApiClient Api => host.Api;

    private string TenantsFolder => Path.Combine(host.DataPath, "tenants");

    private async Task<int> CatalogCountAsync()
    {
        var count = 0;
        string? cursor = null;
        do
        {
            var page = await ApiClient.JsonAsync(await Api.OperatorAsync(HttpMethod.Get, "/admin/tenants?limit=100" + (cursor is null ? "" : $"&cursor={cursor}")));
            count += page.GetProperty("items").GetArrayLength();
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        return count;
    }

    [Fact]
    public async Task Create_provisions_database_owner_and_key_in_one_call()
    {
        var response = await Api.OperatorAsync(HttpMethod.Post, "/admin/tenants", new { id = "acme-co", name = "Acme Co", plan = "starter", ownerEmail = "owner@acme.test" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("/admin/tenants/acme-co", response.Headers.Location?.OriginalString);
        var body = await ApiClient.JsonAsync(response);
        Assert.Equal("tenant_acme_co", body.GetProperty("database").GetString());
        Assert.True(File.Exists(Path.Combine(TenantsFolder, "tenant_acme_co.db")));

        var key = body.GetProperty("ownerApiKey").GetString();
        var tenant = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, "/api/tenant", "acme-co", key));
        Assert.Equal("starter", tenant.GetProperty("plan").GetString());
        Assert.Equal(1, tenant.GetProperty("usage").GetProperty("members").GetInt32());

        var record = await ApiClient.JsonAsync(await Api.OperatorAsync(HttpMethod.Get, "/admin/tenants/acme-co"));
        Assert.Equal("sqlite", record.GetProperty("engine").GetString());
        // The starter plan's default is a schema, which SQLite does not offer: a file of its own, and nothing to propose.
        Assert.Equal("database", body.GetProperty("isolation").GetString());
        Assert.Equal("database", record.GetProperty("isolation").GetString());
        Assert.Equal(JsonValueKind.Null, record.GetProperty("proposedIsolation").ValueKind);
        Assert.DoesNotContain(key!, record.ToString());
    }

    [Fact]
    public async Task Without_an_id_one_is_generated_from_the_name()
    {
        var response = await Api.OperatorAsync(HttpMethod.Post, "/admin/tenants", new { name = "Zed & Co. Ltd", ownerEmail = "o@zed.test" });
        var body = await ApiClient.JsonAsync(response);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Matches("^zed-co-ltd-[0-9a-f]{6}$", body.GetProperty("tenantId").GetString());
    }

    [Fact]
    public async Task An_existing_id_is_409()
    {
        var tenant = await Api.CreateTenantAsync();
        var again = await Api.OperatorAsync(HttpMethod.Post, "/admin/tenants", new { id = tenant.Id, name = "Dup", ownerEmail = "o@dup.test" });
        await ProblemAssert.IsProblemAsync(again, 409);
    }

    public static TheoryData<string> BadIds() =>
    [
        "../etc", "a/b", "$where", "tenant_x", "UPPER", "a", new string('a', 41), "acme\u0000", "ａｃｍｅ", "x'; DROP TABLE t; --", "",
    ];

    [Theory]
    [MemberData(nameof(BadIds))]
    public async Task A_bad_id_is_400_naming_id_and_creates_nothing(string id)
    {
        var files = Directory.GetFiles(TenantsFolder, "tenant_*.db").Length;
        var tenants = await CatalogCountAsync();

        var response = await Api.OperatorAsync(HttpMethod.Post, "/admin/tenants", new { id, name = "Bad", ownerEmail = "o@bad.test" });

        var problem = await ProblemAssert.IsProblemAsync(response, 400);
        Assert.Equal("id", problem.GetProperty("field").GetString());
        Assert.Equal(files, Directory.GetFiles(TenantsFolder, "tenant_*.db").Length);
        Assert.Equal(tenants, await CatalogCountAsync());
    }

    [Theory]
    [InlineData("""{"id":"ok-one","name":"N"}""", "ownerEmail")]
    [InlineData("""{"id":"ok-two","ownerEmail":"o@x.test"}""", "name")]
    [InlineData("""{"id":"ok-three","name":"N","ownerEmail":"o@x.test","colour":"red"}""", "colour")]
    [InlineData("""{"id":"ok-four","name":5,"ownerEmail":"o@x.test"}""", "name")]
    [InlineData("""{"id":"ok-five","name":"N","ownerEmail":"not-an-email"}""", "ownerEmail")]
    [InlineData("""{"id":"ok-six","name":"N","ownerEmail":"o@x.test","plan":"platinum"}""", "plan")]
    // SQLite keeps a file per tenant: it offers no schema tier, and nothing else is a tier.
    [InlineData("""{"id":"ok-seven","name":"N","ownerEmail":"o@x.test","isolation":"schema"}""", "isolation")]
    [InlineData("""{"id":"ok-eight","name":"N","ownerEmail":"o@x.test","isolation":"row"}""", "isolation")]
    public async Task Bad_bodies_are_400_naming_the_field_and_create_nothing(string body, string field)
    {
        var files = Directory.GetFiles(TenantsFolder, "tenant_*.db").Length;

        var response = await Api.OperatorAsync(HttpMethod.Post, "/admin/tenants", body);

        var problem = await ProblemAssert.IsProblemAsync(response, 400);
        Assert.Contains(field, problem.GetProperty("detail").GetString());
        Assert.Equal(files, Directory.GetFiles(TenantsFolder, "tenant_*.db").Length);
        await ProblemAssert.IsProblemAsync(await Api.OperatorAsync(HttpMethod.Get, $"/admin/tenants/{body.Split('"')[3]}"), 404);
    }

    [Fact]
    public async Task A_failed_step_rolls_back_and_names_the_step()
    {
        // A database file left behind by something else: the database step must fail.
        var orphan = Path.Combine(TenantsFolder, "tenant_orphan_co.db");
        await File.WriteAllTextAsync(orphan, "not ours");
        var tenants = await CatalogCountAsync();

        var response = await Api.OperatorAsync(HttpMethod.Post, "/admin/tenants", new { id = "orphan-co", name = "Orphan", ownerEmail = "o@orphan.test" });

        var problem = await ProblemAssert.IsProblemAsync(response, 500);
        Assert.Equal("database", problem.GetProperty("step").GetString());
        Assert.Contains("'database'", problem.GetProperty("detail").GetString());
        Assert.Equal(tenants, await CatalogCountAsync());
        await ProblemAssert.IsProblemAsync(await Api.OperatorAsync(HttpMethod.Get, "/admin/tenants/orphan-co"), 404);
        Assert.Equal("not ours", await File.ReadAllTextAsync(orphan));

        // Once the obstacle is gone the same id provisions cleanly: nothing half-written was left.
        File.Delete(orphan);
        Assert.Equal(HttpStatusCode.Created, (await Api.OperatorAsync(HttpMethod.Post, "/admin/tenants", new { id = "orphan-co", name = "Orphan", ownerEmail = "o@orphan.test" })).StatusCode);
    }

    [Fact]
    public async Task Delete_needs_the_confirmation_header_then_drops_everything()
    {
        var tenant = await Api.CreateTenantAsync();
        var file = TenantFiles.PathOf(host.DataPath, tenant.Id);

        await ProblemAssert.IsProblemAsync(await Api.OperatorAsync(HttpMethod.Delete, $"/admin/tenants/{tenant.Id}"), 400);
        await ProblemAssert.IsProblemAsync(await Api.OperatorAsync(HttpMethod.Delete, $"/admin/tenants/{tenant.Id}", headers: new Dictionary<string, string> { ["x-confirm-delete"] = "other" }), 400);
        Assert.True(File.Exists(file));

        var deleted = await Api.OperatorAsync(HttpMethod.Delete, $"/admin/tenants/{tenant.Id}", headers: new Dictionary<string, string> { ["x-confirm-delete"] = tenant.Id });

        Assert.Equal(HttpStatusCode.Accepted, deleted.StatusCode);
        Assert.False(File.Exists(file));
        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, tenant.OwnerKey), 404);
        await ProblemAssert.IsProblemAsync(await Api.OperatorAsync(HttpMethod.Get, $"/admin/tenants/{tenant.Id}"), 404);

        // The id can be provisioned again, from nothing: the old owner key is dead.
        var again = await Api.CreateTenantAsync(tenant.Id);
        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, tenant.OwnerKey), 401);
        var audit = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, "/api/audit?limit=100", again.Id, again.OwnerKey));
        Assert.Equal(2, audit.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Operator_routes_refuse_member_keys_and_no_key()
    {
        var tenant = await Api.CreateTenantAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/tenants");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", tenant.OwnerKey);
        await ProblemAssert.IsProblemAsync(await Api.Http.SendAsync(request), 401);
        await ProblemAssert.IsProblemAsync(await Api.Http.GetAsync("/admin/tenants"), 401);
    }

    [Fact]
    public async Task Plan_change_resets_limits_and_limits_can_be_overridden()
    {
        var tenant = await Api.CreateTenantAsync(plan: "free");

        var changed = await ApiClient.JsonAsync(await Api.OperatorAsync(HttpMethod.Patch, $"/admin/tenants/{tenant.Id}", new { plan = "enterprise" }));
        Assert.Equal(JsonValueKindNull, changed.GetProperty("limits").GetProperty("members").ValueKind);

        var overridden = await ApiClient.JsonAsync(await Api.OperatorAsync(HttpMethod.Patch, $"/admin/tenants/{tenant.Id}", new { limits = new { members = 7, channels = -1 } }));
        Assert.Equal(7, overridden.GetProperty("limits").GetProperty("members").GetInt32());
        Assert.Equal(JsonValueKindNull, overridden.GetProperty("limits").GetProperty("channels").ValueKind);

        var bad = await Api.OperatorAsync(HttpMethod.Patch, $"/admin/tenants/{tenant.Id}", new { limits = new { apiRequestsPerMinute = 0 } });
        var problem = await ProblemAssert.IsProblemAsync(bad, 400);
        Assert.Equal("limits.apiRequestsPerMinute", problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task A_cursor_the_catalog_did_not_issue_is_400_naming_cursor()
    {
        var problem = await ProblemAssert.IsProblemAsync(await Api.OperatorAsync(HttpMethod.Get, "/admin/tenants?cursor=not-ours"), 400);
        Assert.Equal("cursor", problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task Suspend_needs_a_reason()
    {
        var tenant = await Api.CreateTenantAsync();
        await ProblemAssert.IsProblemAsync(await Api.OperatorAsync(HttpMethod.Post, $"/admin/tenants/{tenant.Id}/suspend", new { reason = " " }), 400);
        await ProblemAssert.IsProblemAsync(await Api.OperatorAsync(HttpMethod.Post, $"/admin/tenants/{tenant.Id}/suspend", "{}"), 400);
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;
}
