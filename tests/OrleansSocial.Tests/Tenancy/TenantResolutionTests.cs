using System.Net;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Tenancy;

/// <summary>The status table of the REST contract for every /api route.</summary>
public sealed class TenantResolutionTests(TenancyHost host) : IClassFixture<TenancyHost>
{
    private ApiClient Api => host.Api;

    [Fact]
    public async Task Missing_or_empty_tenant_header_is_400()
    {
        var tenant = await Api.CreateTenantAsync();
        var missing = await Api.TenantAsync(HttpMethod.Get, "/api/tenant", null, tenant.OwnerKey);
        var empty = await Api.TenantAsync(HttpMethod.Get, "/api/tenant", "", tenant.OwnerKey);

        var problem = await ProblemAssert.IsProblemAsync(missing, 400);
        Assert.Contains("x-tenant-id", problem.GetProperty("detail").GetString());
        await ProblemAssert.IsProblemAsync(empty, 400);
    }

    public static TheoryData<string> MalformedTenantIds() =>
    [
        "../etc", "a/b", "$where", "tenant_x", "UPPER", "a", new string('a', 41), "acme\0", "ａｃｍｅ",
        "acme'; DROP DATABASE x; --", "\"acme\"", new string('x', 10_000), "acme co", "-acme",
    ];

    [Theory]
    [MemberData(nameof(MalformedTenantIds))]
    public async Task Malformed_tenant_header_is_400_and_touches_nothing(string tenantId)
    {
        var before = Directory.GetFiles(Path.Combine(host.DataPath, "tenants"), "tenant_*.db").Length;

        var response = await Api.TenantAsync(HttpMethod.Get, "/api/tenant", tenantId, "osk.acme.k1.secretsecretsecretsecretsecretsecretsecret1234");

        if (tenantId.Any(char.IsControl))
        {
            // Kestrel refuses control characters in headers at the protocol level, before any of our code runs.
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
        else
        {
            var problem = await ProblemAssert.IsProblemAsync(response, 400);
            Assert.DoesNotContain(tenantId.Length > 5 ? tenantId : "\u0001", problem.ToString());
        }

        Assert.Equal(before, Directory.GetFiles(Path.Combine(host.DataPath, "tenants"), "tenant_*.db").Length);
    }

    [Fact]
    public async Task Unknown_tenant_is_404()
    {
        var tenant = await Api.CreateTenantAsync();
        var response = await Api.TenantAsync(HttpMethod.Get, "/api/tenant", "no-such-tenant", tenant.OwnerKey);
        await ProblemAssert.IsProblemAsync(response, 404);
    }

    [Fact]
    public async Task No_key_or_a_wrong_key_is_401()
    {
        var tenant = await Api.CreateTenantAsync();

        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, null), 401);
        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, "garbage"), 401);
        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, tenant.OwnerKey[..^2] + "xx"), 401);
        // A well-formed key naming this tenant but never issued.
        var forged = $"osk.{tenant.Id}.k0000000000000000.{new string('A', 43)}";
        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, forged), 401);
    }

    [Fact]
    public async Task Another_tenants_valid_key_is_403_and_says_nothing_about_that_tenant()
    {
        var a = await Api.CreateTenantAsync(name: "Alpha Secret Name");
        var b = await Api.CreateTenantAsync();

        var response = await Api.TenantAsync(HttpMethod.Get, "/api/tenant", b.Id, a.OwnerKey);

        var problem = await ProblemAssert.IsProblemAsync(response, 403);
        var text = problem.ToString();
        Assert.DoesNotContain(a.Id, text);
        Assert.DoesNotContain("Alpha Secret Name", text);
    }

    [Fact]
    public async Task Suspended_tenant_is_403_tenant_suspended_until_activated()
    {
        var tenant = await Api.CreateTenantAsync();
        // Answered once before, so the silo's access cache holds both decisions (with and without the view).
        Assert.Equal(HttpStatusCode.OK, (await Api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, tenant.OwnerKey)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Api.TenantAsync(HttpMethod.Get, "/api/channels", tenant.Id, tenant.OwnerKey)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Api.OperatorAsync(HttpMethod.Post, $"/admin/tenants/{tenant.Id}/suspend", new { reason = "unpaid" })).StatusCode);

        var problem = await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, tenant.OwnerKey), 403);
        Assert.EndsWith("tenant-suspended", problem.GetProperty("type").GetString());
        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Get, "/api/channels", tenant.Id, tenant.OwnerKey), 403);

        Assert.Equal(HttpStatusCode.OK, (await Api.OperatorAsync(HttpMethod.Post, $"/admin/tenants/{tenant.Id}/activate")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, tenant.OwnerKey)).StatusCode);
    }

    [Fact]
    public async Task A_change_shows_in_the_next_answer_to_every_member()
    {
        var tenant = await Api.CreateTenantAsync(name: "Before");
        var (_, viewerKey) = await Api.AddMemberAsync(tenant, "viewer");
        Assert.Equal("Before", (await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, viewerKey))).GetProperty("name").GetString());

        Assert.Equal(HttpStatusCode.OK, (await Api.TenantAsync(HttpMethod.Patch, "/api/tenant", tenant.Id, tenant.OwnerKey, new { name = "After" })).StatusCode);
        await Api.AddMemberAsync(tenant, "viewer");

        var view = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, viewerKey));
        Assert.Equal("After", view.GetProperty("name").GetString());
        Assert.Equal(3, view.GetProperty("usage").GetProperty("members").GetInt32());
    }

    [Fact]
    public async Task Missing_permission_is_403_naming_the_permission()
    {
        var tenant = await Api.CreateTenantAsync();
        var (_, viewerKey) = await Api.AddMemberAsync(tenant, "viewer");

        var problem = await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Get, "/api/audit", tenant.Id, viewerKey), 403);

        Assert.Contains("audit:read", problem.GetProperty("detail").GetString());
        Assert.Equal("audit:read", problem.GetProperty("permission").GetString());
    }

    [Fact]
    public async Task Over_the_plan_request_rate_is_429_with_retry_after()
    {
        var tenant = await Api.CreateTenantAsync();
        await Api.OperatorAsync(HttpMethod.Patch, $"/admin/tenants/{tenant.Id}", new { limits = new { apiRequestsPerMinute = 3 } });

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await Api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, tenant.OwnerKey)).StatusCode);
        }

        var limited = await Api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, tenant.OwnerKey);
        await ProblemAssert.IsProblemAsync(limited, 429);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);

        // Another tenant's budget is its own.
        var other = await Api.CreateTenantAsync();
        Assert.Equal(HttpStatusCode.OK, (await Api.TenantAsync(HttpMethod.Get, "/api/tenant", other.Id, other.OwnerKey)).StatusCode);
    }
}
