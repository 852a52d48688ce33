using OrleansSocial.ReadModels;
using OrleansSocial.ReadModels.Lists;

namespace OrleansSocial.Api.Apis;

/// <summary>The operator's list of tenants, read from the catalog (only tenants whose provisioning finished).</summary>
public sealed class TenantDirectory(TenantReads reads)
{
    public async Task<Page<AdminTenantsApi.TenantSummary>> ListAsync(int limit, string? cursor)
    {
        var (items, next) = await reads.TenantsAsync(new TenantListQuery(limit, cursor), CancellationToken.None);
        return new Page<AdminTenantsApi.TenantSummary>([.. items.Select(t => new AdminTenantsApi.TenantSummary(t.TenantId, t.Name, t.Plan, t.Status, t.CreatedAt))], next);
    }
}
