using System.Net;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Tenancy;

/// <summary>Each built-in role against each permission-guarded route: allowed exactly where the role grants it.</summary>
public sealed class RolePermissionTests(TenancyHost host) : IClassFixture<TenancyHost>
{
    private ApiClient Api => host.Api;

    private static readonly Dictionary<string, string[]> Grants = new()
    {
        ["owner"] = ["tenant:manage", "members:manage", "audit:read"],
        ["admin"] = ["members:manage", "audit:read"],
        ["editor"] = [],
        ["analyst"] = [],
        ["viewer"] = [],
    };

    private static readonly (string Method, string Path, string? Body, string Permission)[] GuardedRoutes =
    [
        ("PATCH", "/api/tenant", """{"timeZone":"Europe/Paris"}""", "tenant:manage"),
        ("GET", "/api/audit", null, "audit:read"),
        ("GET", "/api/members", null, "members:manage"),
        ("POST", "/api/members", """{"email":"new-{0}@x.test","role":"viewer"}""", "members:manage"),
    ];

    public static TheoryData<string, int> RolesAndRoutes()
    {
        var data = new TheoryData<string, int>();
        foreach (var role in Grants.Keys)
        {
            for (var route = 0; route < GuardedRoutes.Length; route++)
            {
                data.Add(role, route);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RolesAndRoutes))]
    public async Task Each_role_is_allowed_exactly_what_it_grants(string role, int routeIndex)
    {
        var tenant = await Api.CreateTenantAsync();
        var key = role == "owner" ? tenant.OwnerKey : (await Api.AddMemberAsync(tenant, role)).Key;
        var (method, path, body, permission) = GuardedRoutes[routeIndex];

        var response = await Api.TenantAsync(new HttpMethod(method), path, tenant.Id, key, body?.Replace("{0}", Guid.NewGuid().ToString("N")));

        if (Grants[role].Contains(permission))
        {
            Assert.True(response.IsSuccessStatusCode, $"{role} {method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        else
        {
            var problem = await ProblemAssert.IsProblemAsync(response, 403);
            Assert.Contains(permission, problem.GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task Any_member_reads_the_tenant()
    {
        var tenant = await Api.CreateTenantAsync();
        var (_, viewer) = await Api.AddMemberAsync(tenant, "viewer");
        Assert.Equal(HttpStatusCode.OK, (await Api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, viewer)).StatusCode);
    }

    [Fact]
    public async Task Extra_permissions_add_to_the_role()
    {
        var tenant = await Api.CreateTenantAsync();
        var (_, viewer) = await Api.AddMemberAsync(tenant, "viewer", "audit:read");
        Assert.Equal(HttpStatusCode.OK, (await Api.TenantAsync(HttpMethod.Get, "/api/audit", tenant.Id, viewer)).StatusCode);
    }

    [Fact]
    public async Task Nobody_grants_a_permission_they_do_not_hold()
    {
        var tenant = await Api.CreateTenantAsync();
        var (_, admin) = await Api.AddMemberAsync(tenant, "admin");

        var toOwner = await Api.TenantAsync(HttpMethod.Post, "/api/members", tenant.Id, admin, new { email = "x@y.test", role = "owner" });
        var problem = await ProblemAssert.IsProblemAsync(toOwner, 403);
        Assert.Contains("tenant:manage", problem.GetProperty("detail").GetString());

        var extra = await Api.TenantAsync(HttpMethod.Post, "/api/members", tenant.Id, admin, new { email = "z@y.test", role = "viewer", permissions = new[] { "tenant:manage" } });
        await ProblemAssert.IsProblemAsync(extra, 403);
    }

    [Fact]
    public async Task A_member_rotates_its_own_keys_but_not_anothers()
    {
        var tenant = await Api.CreateTenantAsync();
        var (viewerId, viewerKey) = await Api.AddMemberAsync(tenant, "viewer");
        var (editorId, _) = await Api.AddMemberAsync(tenant, "editor");

        var own = await Api.TenantAsync(HttpMethod.Post, $"/api/members/{viewerId}/keys", tenant.Id, viewerKey);
        Assert.Equal(HttpStatusCode.Created, own.StatusCode);

        var others = await Api.TenantAsync(HttpMethod.Post, $"/api/members/{editorId}/keys", tenant.Id, viewerKey);
        var problem = await ProblemAssert.IsProblemAsync(others, 403);
        // Not even members:manage would do: a key is minted only for yourself.
        Assert.Contains("only for yourself", problem.GetProperty("detail").GetString());
    }
}
