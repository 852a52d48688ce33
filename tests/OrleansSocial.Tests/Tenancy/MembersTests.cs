using System.Net;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Tenancy;

public sealed class MembersTests(TenancyHost host) : IClassFixture<TenancyHost>
{
    private ApiClient Api => host.Api;

    [Fact]
    public async Task The_last_owner_cannot_be_removed_or_demoted()
    {
        var tenant = await Api.CreateTenantAsync();

        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Delete, $"/api/members/{tenant.OwnerMemberId}", tenant.Id, tenant.OwnerKey), 409);
        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Patch, $"/api/members/{tenant.OwnerMemberId}", tenant.Id, tenant.OwnerKey, new { role = "admin" }), 409);

        var (second, _) = await Api.AddMemberAsync(tenant, "owner");
        Assert.Equal(HttpStatusCode.OK, (await Api.TenantAsync(HttpMethod.Patch, $"/api/members/{second}", tenant.Id, tenant.OwnerKey, new { role = "admin" })).StatusCode);
    }

    [Fact]
    public async Task The_plan_member_limit_is_403_plan_limit_naming_the_limit()
    {
        var tenant = await Api.CreateTenantAsync(plan: "free");
        await Api.AddMemberAsync(tenant, "viewer");
        await Api.AddMemberAsync(tenant, "viewer");

        var over = await Api.TenantAsync(HttpMethod.Post, "/api/members", tenant.Id, tenant.OwnerKey, new { email = "fourth@x.test", role = "viewer" });

        var problem = await ProblemAssert.IsProblemAsync(over, 403);
        Assert.EndsWith("plan-limit", problem.GetProperty("type").GetString());
        Assert.Equal("members", problem.GetProperty("limit").GetString());
        Assert.Contains("members", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Removing_a_member_revokes_all_its_keys_at_once()
    {
        var tenant = await Api.CreateTenantAsync();
        var (memberId, first) = await Api.AddMemberAsync(tenant, "viewer");
        var second = (await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Post, $"/api/members/{memberId}/keys", tenant.Id, first))).GetProperty("apiKey").GetString();
        Assert.Equal(HttpStatusCode.OK, (await Api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, second)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await Api.TenantAsync(HttpMethod.Delete, $"/api/members/{memberId}", tenant.Id, tenant.OwnerKey)).StatusCode);

        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, first), 401);
        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, second), 401);
    }

    [Fact]
    public async Task Keys_rotate_and_revoke_one_by_one()
    {
        var tenant = await Api.CreateTenantAsync();
        var (memberId, oldKey) = await Api.AddMemberAsync(tenant, "editor");
        var members = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, "/api/members", tenant.Id, tenant.OwnerKey));
        var oldKeyId = members.GetProperty("items").EnumerateArray().Single(m => m.GetProperty("memberId").GetString() == memberId).GetProperty("keys")[0].GetProperty("keyId").GetString();

        var rotated = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Post, $"/api/members/{memberId}/keys", tenant.Id, oldKey));
        var newKey = rotated.GetProperty("apiKey").GetString();
        Assert.Equal(HttpStatusCode.NoContent, (await Api.TenantAsync(HttpMethod.Delete, $"/api/members/{memberId}/keys/{oldKeyId}", tenant.Id, newKey)).StatusCode);

        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, oldKey), 401);
        Assert.Equal(HttpStatusCode.OK, (await Api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, newKey)).StatusCode);
        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Delete, $"/api/members/{memberId}/keys/{oldKeyId}", tenant.Id, newKey), 404);
    }

    [Fact]
    public async Task Member_lists_never_show_keys_or_their_hashes()
    {
        var tenant = await Api.CreateTenantAsync();
        var (_, key) = await Api.AddMemberAsync(tenant, "viewer");

        var text = await (await Api.TenantAsync(HttpMethod.Get, "/api/members", tenant.Id, tenant.OwnerKey)).Content.ReadAsStringAsync();

        Assert.DoesNotContain(key.Split('.')[3], text);
        Assert.DoesNotContain(tenant.OwnerKey.Split('.')[3], text);
        Assert.DoesNotContain("hash", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Bad_member_input_is_400_naming_the_field()
    {
        var tenant = await Api.CreateTenantAsync();

        var role = await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Post, "/api/members", tenant.Id, tenant.OwnerKey, new { email = "a@b.test", role = "superuser" }), 400);
        Assert.Equal("role", role.GetProperty("field").GetString());
        var permission = await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Post, "/api/members", tenant.Id, tenant.OwnerKey, new { email = "a@b.test", role = "viewer", permissions = new[] { "root" } }), 400);
        Assert.Equal("permissions[0]", permission.GetProperty("field").GetString());
        var email = await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Post, "/api/members", tenant.Id, tenant.OwnerKey, new { email = "nope", role = "viewer" }), 400);
        Assert.Equal("email", email.GetProperty("field").GetString());
        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Post, "/api/members", tenant.Id, tenant.OwnerKey, """{"role":"viewer"}"""), 400);
        var limit = await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Get, "/api/members?limit=500", tenant.Id, tenant.OwnerKey), 400);
        Assert.Equal("limit", limit.GetProperty("field").GetString());
        var zone = await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Patch, "/api/tenant", tenant.Id, tenant.OwnerKey, new { timeZone = "Mars/Olympus" }), 400);
        Assert.Equal("timeZone", zone.GetProperty("field").GetString());
    }

    [Fact]
    public async Task Every_change_and_refusal_is_audited_in_the_tenants_own_log()
    {
        var tenant = await Api.CreateTenantAsync();
        var (viewerId, viewerKey) = await Api.AddMemberAsync(tenant, "viewer");
        await Api.TenantAsync(HttpMethod.Patch, "/api/tenant", tenant.Id, tenant.OwnerKey, new { timeZone = "Europe/Paris", requireApproval = true });
        await Api.TenantAsync(HttpMethod.Get, "/api/members", tenant.Id, viewerKey);
        await Api.OperatorAsync(HttpMethod.Post, $"/admin/tenants/{tenant.Id}/suspend", new { reason = "audit test" });
        await Api.OperatorAsync(HttpMethod.Post, $"/admin/tenants/{tenant.Id}/activate");

        var audit = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, "/api/audit?limit=100", tenant.Id, tenant.OwnerKey));
        var entries = audit.GetProperty("items").EnumerateArray()
            .Select(e => (Actor: e.GetProperty("actor").GetString(), Action: e.GetProperty("action").GetString(), Outcome: e.GetProperty("outcome").GetString()))
            .ToList();

        Assert.Contains((tenant.OwnerMemberId, "member.added", "success"), entries);
        Assert.Contains((tenant.OwnerMemberId, "tenant.settings_changed", "success"), entries);
        Assert.Contains((viewerId, "access.denied", "denied"), entries);
        Assert.Contains(("operator", "tenant.suspended", "success"), entries);
        Assert.Contains(("operator", "tenant.activated", "success"), entries);
        Assert.Equal("tenant.activated", entries[0].Action);

        var settings = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, tenant.OwnerKey));
        Assert.Equal("Europe/Paris", settings.GetProperty("timeZone").GetString());
        Assert.True(settings.GetProperty("requireApproval").GetBoolean());
    }

    [Fact]
    public async Task Audit_pages_with_a_cursor_and_refuses_a_bad_one()
    {
        var tenant = await Api.CreateTenantAsync();
        for (var i = 0; i < 3; i++)
        {
            await Api.AddMemberAsync(tenant, "viewer");
        }

        var first = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, "/api/audit?limit=2", tenant.Id, tenant.OwnerKey));
        var cursor = first.GetProperty("nextCursor").GetString();
        Assert.NotNull(cursor);
        var second = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, $"/api/audit?limit=2&cursor={cursor}", tenant.Id, tenant.OwnerKey));
        Assert.Equal(2, second.GetProperty("items").GetArrayLength());
        Assert.NotEqual(first.GetProperty("items")[0].GetProperty("id").GetString(), second.GetProperty("items")[0].GetProperty("id").GetString());

        var bad = await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Get, "/api/audit?cursor=zzz", tenant.Id, tenant.OwnerKey), 400);
        Assert.Equal("cursor", bad.GetProperty("field").GetString());
    }

    [Fact]
    public async Task Approval_settings_are_the_tenants_own_and_survive_reading_back()
    {
        var tenant = await Api.CreateTenantAsync();

        var changed = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Patch, "/api/tenant", tenant.Id, tenant.OwnerKey, new { requireApproval = true, fourEyes = true }));
        Assert.True(changed.GetProperty("requireApproval").GetBoolean());
        Assert.True(changed.GetProperty("fourEyes").GetBoolean());

        await Api.TenantAsync(HttpMethod.Patch, "/api/tenant", tenant.Id, tenant.OwnerKey, new { timeZone = "Europe/Paris" });
        var read = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, tenant.OwnerKey));
        Assert.True(read.GetProperty("fourEyes").GetBoolean());
        Assert.Equal("Europe/Paris", read.GetProperty("timeZone").GetString());
        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Patch, "/api/tenant", tenant.Id, tenant.OwnerKey, """{"fourEyes":"yes"}"""), 400);
    }
}
