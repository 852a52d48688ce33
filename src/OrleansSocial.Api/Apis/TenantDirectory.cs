using OrleansSocial.ReadModels.Lists;
using OrleansSocial.Storage.Documents;

namespace OrleansSocial.Api.Apis;

/// <summary>The operator's list of tenants, read from the catalog (only tenants whose provisioning finished).</summary>
public sealed class TenantDirectory(IDocumentStore store)
{
    public async Task<Page<AdminTenantsApi.TenantSummary>> ListAsync(int limit, string? cursor)
    {
        var (items, next) = await new TenantListQuery(limit, cursor).RunAsync(store.Catalog, CancellationToken.None);
        return new Page<AdminTenantsApi.TenantSummary>([.. items.Select(t => new AdminTenantsApi.TenantSummary(t.TenantId, t.Name, t.Plan, t.Status, t.CreatedAt))], next);
    }
}
