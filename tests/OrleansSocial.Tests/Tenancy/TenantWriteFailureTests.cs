using System.Net;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Tenancy;

/// <summary>
/// A tenant's catalog entry is changed through one writer that assigns only what it wrote: when the
/// catalog refuses the write, the tenant answers as it is stored, not as the refused change would have made it.
/// </summary>
public sealed class TenantWriteFailureTests
{
    private const string OperatorKey = "tenant-write-failure-operator-key-0123456789";

    [Fact]
    public async Task A_plan_change_or_suspension_the_catalog_refused_leaves_the_tenant_as_stored()
    {
        using var data = new TempFolder("orleans-social-tenant-write-failure");
        PausingStore catalog = null!;
        await using var host = new ApiHost(data.Path, new Dictionary<string, string?> { ["Operator:ApiKey"] = OperatorKey }, PausingStore.Install("tenants", s => catalog = s));
        var api = new ApiClient(host.CreateHttpClient(), OperatorKey);
        var tenant = await api.CreateTenantAsync(plan: "pro");

        catalog.FailUpserts(new InvalidOperationException("the catalog's disk is full"));
        var changed = await api.OperatorAsync(HttpMethod.Patch, $"/admin/tenants/{tenant.Id}", new { plan = "starter" });
        Assert.False(changed.IsSuccessStatusCode);
        var suspended = await api.OperatorAsync(HttpMethod.Post, $"/admin/tenants/{tenant.Id}/suspend", new { reason = "unpaid" });
        Assert.False(suspended.IsSuccessStatusCode);
        catalog.FailUpserts(null);

        // Read as the tenant (the operator's view asks the placement, which this test's store stands in front of):
        // served, so the refused suspension did not take hold in memory, and on the stored plan.
        var answer = await api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, tenant.OwnerKey);
        Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());
        var read = await ApiClient.JsonAsync(answer);
        Assert.Equal("pro", read.GetProperty("plan").GetString());
        Assert.Equal("active", read.GetProperty("status").GetString());

        // And the same changes, once the catalog takes writes again, land.
        Assert.Equal(HttpStatusCode.OK, (await api.OperatorAsync(HttpMethod.Patch, $"/admin/tenants/{tenant.Id}", new { plan = "starter" })).StatusCode);
        Assert.Equal("starter", (await ApiClient.JsonAsync(await api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, tenant.OwnerKey))).GetProperty("plan").GetString());
    }
}
