using OrleansSocial.Tenancy;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Tenancy;

/// <summary>
/// The tenant grain called from a cluster client: every argument, result and refusal crosses
/// the wire serialized, as between silos in cluster mode.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class TenantGrainClusterTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Records_and_refusals_round_trip_through_serialization()
    {
        var id = "cl-" + Guid.NewGuid().ToString("N")[..10];
        var tenant = fixture.Grains.GetGrain<ITenantGrain>(id);

        var provisioned = await tenant.Provision(new ProvisionTenant("Cluster Co", Plans.Free, "owner@cluster.test"));
        Assert.Equal(id, provisioned.Tenant.TenantId);
        Assert.Equal(3, provisioned.Tenant.Limits.Members);

        var allowed = await tenant.Authorize(provisioned.Owner.Key.ApiKey, Permissions.AuditRead);
        Assert.Equal(AccessOutcome.Allowed, allowed.Outcome);
        Assert.Equal(provisioned.Owner.MemberId, allowed.MemberId);

        var refusal = await Assert.ThrowsAsync<DomainException>(() =>
            tenant.AddMember(new Actor(provisioned.Owner.MemberId), new NewMember("x@cluster.test", "superuser", [])));
        Assert.Equal(ProblemKind.Invalid, refusal.Kind);
        Assert.Equal("role", refusal.Subject);

        var conflict = await Assert.ThrowsAsync<DomainException>(() => tenant.Provision(new ProvisionTenant("Again", Plans.Free, "o@x.test")));
        Assert.Equal(ProblemKind.Conflict, conflict.Kind);
    }
}
