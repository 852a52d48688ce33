using System.Net;
using System.Text.Json;
using OrleansSocial.Tenancy;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Tenancy;

/// <summary>
/// Every member-management route × every actor role × every target role, each cell with the
/// outcome it must have, through the real API. Rank is owner &gt; admin &gt; the rest; nobody acts on
/// a member who outranks them; keys are minted only for yourself.
/// </summary>
public sealed class MemberRankTests(TenancyHost host) : IClassFixture<TenancyHost>
{
    private static readonly string[] RoleOrder = [Roles.Owner, Roles.Admin, Roles.Editor, Roles.Analyst, Roles.Viewer];

    // Rows: actor role; columns: target role, in RoleOrder. The target is always another member.
    private static readonly Dictionary<string, string[]> Expected = new()
    {
        ["change"] =
        [
            /* owner   */ "200 200 200 200 200",
            /* admin   */ "403 200 200 200 200",
            /* editor  */ "403 403 403 403 403",
            /* analyst */ "403 403 403 403 403",
            /* viewer  */ "403 403 403 403 403",
        ],
        ["remove"] =
        [
            "204 204 204 204 204",
            "403 204 204 204 204",
            "403 403 403 403 403",
            "403 403 403 403 403",
            "403 403 403 403 403",
        ],
        ["mint-key"] =
        [
            "403 403 403 403 403",
            "403 403 403 403 403",
            "403 403 403 403 403",
            "403 403 403 403 403",
            "403 403 403 403 403",
        ],
        ["revoke-key"] =
        [
            "204 204 204 204 204",
            "403 204 204 204 204",
            "403 403 403 403 403",
            "403 403 403 403 403",
            "403 403 403 403 403",
        ],
    };

    public static IEnumerable<object[]> Cells() =>
        from route in Expected.Keys
        from actor in Enumerable.Range(0, RoleOrder.Length)
        from target in Enumerable.Range(0, RoleOrder.Length)
        select new object[] { route, RoleOrder[actor], RoleOrder[target], int.Parse(Expected[route][actor].Split(' ')[target], System.Globalization.CultureInfo.InvariantCulture) };

    private ApiClient Api => host.Api;

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Member_management_obeys_rank(string route, string actorRole, string targetRole, int expected)
    {
        var tenant = await Api.CreateTenantAsync();
        var actorKey = actorRole == Roles.Owner ? tenant.OwnerKey : (await Api.AddMemberAsync(tenant, actorRole)).Key;
        var (targetId, targetKey) = await Api.AddMemberAsync(tenant, targetRole);
        var targetKeyId = targetKey.Split('.')[2];

        var response = route switch
        {
            "change" => await Api.TenantAsync(HttpMethod.Patch, $"/api/members/{targetId}", tenant.Id, actorKey, new { role = "viewer" }),
            "remove" => await Api.TenantAsync(HttpMethod.Delete, $"/api/members/{targetId}", tenant.Id, actorKey),
            "mint-key" => await Api.TenantAsync(HttpMethod.Post, $"/api/members/{targetId}/keys", tenant.Id, actorKey),
            _ => await Api.TenantAsync(HttpMethod.Delete, $"/api/members/{targetId}/keys/{targetKeyId}", tenant.Id, actorKey),
        };

        Assert.True(expected == (int)response.StatusCode, $"{actorRole} {route} {targetRole}: expected {expected}, got {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        if (expected == 403)
        {
            await ProblemAssert.IsProblemAsync(response, 403);
            // Refused means untouched: the target's key still works and its role is unchanged.
            Assert.Equal(HttpStatusCode.OK, (await Api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, targetKey)).StatusCode);
            var members = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, "/api/members", tenant.Id, tenant.OwnerKey));
            var target = members.GetProperty("items").EnumerateArray().Single(m => m.GetProperty("memberId").GetString() == targetId);
            Assert.Equal(targetRole, target.GetProperty("role").GetString());
            Assert.Equal(1, target.GetProperty("keys").GetArrayLength());
        }
    }

    [Theory]
    [InlineData(Roles.Owner)]
    [InlineData(Roles.Admin)]
    [InlineData(Roles.Viewer)]
    public async Task Every_member_rotates_and_revokes_their_own_keys(string role)
    {
        var tenant = await Api.CreateTenantAsync();
        var (memberId, key) = role == Roles.Owner ? (tenant.OwnerMemberId, tenant.OwnerKey) : await Api.AddMemberAsync(tenant, role);

        var rotated = await Api.TenantAsync(HttpMethod.Post, $"/api/members/{memberId}/keys", tenant.Id, key);
        Assert.Equal(HttpStatusCode.Created, rotated.StatusCode);
        var newKey = (await ApiClient.JsonAsync(rotated)).GetProperty("apiKey").GetString();

        Assert.Equal(HttpStatusCode.NoContent, (await Api.TenantAsync(HttpMethod.Delete, $"/api/members/{memberId}/keys/{key.Split('.')[2]}", tenant.Id, newKey)).StatusCode);
        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, key), 401);
    }

    [Fact]
    public async Task Nobody_grants_a_role_above_their_own_even_holding_every_permission()
    {
        var tenant = await Api.CreateTenantAsync();
        var (adminId, adminKey) = await Api.AddMemberAsync(tenant, Roles.Admin, Permissions.TenantManage);
        var (viewerId, _) = await Api.AddMemberAsync(tenant, Roles.Viewer);

        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Patch, $"/api/members/{viewerId}", tenant.Id, adminKey, new { role = "owner" }), 403);
        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Patch, $"/api/members/{adminId}", tenant.Id, adminKey, new { role = "owner" }), 403);
        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Post, "/api/members", tenant.Id, adminKey, new { email = "x@y.test", role = "owner" }), 403);
    }

    [Fact]
    public async Task An_admin_who_minted_nothing_cannot_act_as_the_owner()
    {
        var tenant = await Api.CreateTenantAsync();
        var (_, adminKey) = await Api.AddMemberAsync(tenant, Roles.Admin);

        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Post, $"/api/members/{tenant.OwnerMemberId}/keys", tenant.Id, adminKey), 403);

        var audit = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, "/api/audit", tenant.Id, tenant.OwnerKey));
        Assert.Contains(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("action").GetString() == "key.created" && e.GetProperty("outcome").GetString() == "denied");
        Assert.DoesNotContain(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("action").GetString() == "key.created" && e.GetProperty("outcome").GetString() == "success");
    }

    [Fact]
    public async Task The_operator_recovers_an_owner_who_lost_every_key_and_it_is_audited_as_the_operator()
    {
        var tenant = await Api.CreateTenantAsync();
        // The owner revokes its only key: locked out.
        Assert.Equal(HttpStatusCode.NoContent, (await Api.TenantAsync(HttpMethod.Delete, $"/api/members/{tenant.OwnerMemberId}/keys/{tenant.OwnerKey.Split('.')[2]}", tenant.Id, tenant.OwnerKey)).StatusCode);
        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, tenant.OwnerKey), 401);

        var recovered = await Api.OperatorAsync(HttpMethod.Post, $"/admin/tenants/{tenant.Id}/members/{tenant.OwnerMemberId}/keys");
        Assert.Equal(HttpStatusCode.Created, recovered.StatusCode);
        var key = (await ApiClient.JsonAsync(recovered)).GetProperty("apiKey").GetString();

        Assert.Equal(HttpStatusCode.OK, (await Api.TenantAsync(HttpMethod.Patch, "/api/tenant", tenant.Id, key, new { name = "Recovered" })).StatusCode);
        var audit = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, "/api/audit", tenant.Id, key));
        var entry = audit.GetProperty("items").EnumerateArray().First(e => e.GetProperty("action").GetString() == "key.created");
        Assert.Equal("operator", entry.GetProperty("actor").GetString());
        Assert.StartsWith(tenant.OwnerMemberId + "/", entry.GetProperty("target").GetString());

        // Without the operator key the route is closed, and an unknown member is 404.
        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Post, $"/admin/tenants/{tenant.Id}/members/{tenant.OwnerMemberId}/keys", null, key), 401);
        await ProblemAssert.IsProblemAsync(await Api.OperatorAsync(HttpMethod.Post, $"/admin/tenants/{tenant.Id}/members/m0000000000000000/keys"), 404);
    }
}
