using OrleansSocial.Storage.Documents;
using OrleansSocial.Tenancy;

namespace OrleansSocial.Api.Apis;

/// <summary>The operator's list of tenants, read from the catalog (only tenants whose provisioning finished).</summary>
public sealed class TenantDirectory(IDocumentStore store)
{
    public async Task<Page<AdminTenantsApi.TenantSummary>> ListAsync(int limit, string? cursor)
    {
        var page = await store.Catalog.GetCollection("tenants").QueryAsync(
            new DocumentQuery { Filters = [FieldFilter.Eq("state", "ready")], Limit = limit, Cursor = cursor }, CancellationToken.None);
        var items = page.Items.Select(d => new AdminTenantsApi.TenantSummary(
            d.Id,
            d.Body.GetProperty("name").GetString()!,
            d.Body.GetProperty("plan").GetString()!,
            d.Body.GetProperty("status").GetString() == "suspended" ? TenantStatus.Suspended : TenantStatus.Active,
            d.Body.GetProperty("createdAt").GetDateTimeOffset())).ToList();
        return new Page<AdminTenantsApi.TenantSummary>(items, page.NextCursor);
    }
}
