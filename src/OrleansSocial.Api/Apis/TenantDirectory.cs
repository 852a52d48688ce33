using OrleansSocial.ReadModels;
using OrleansSocial.ReadModels.Catalog;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Tenancy;

namespace OrleansSocial.Api.Apis;

/// <summary>The operator's list of tenants, read from the catalog (only tenants whose provisioning finished).</summary>
public sealed class TenantDirectory(IDocumentStore store)
{
    public async Task<Page<AdminTenantsApi.TenantSummary>> ListAsync(int limit, string? cursor)
    {
        var page = await store.Catalog.GetCollection(Collections.Tenants).QueryAsync(
            new DocumentQuery { Filters = [FieldFilter.Eq("state", CatalogEntry.Ready)], Limit = limit, Cursor = cursor }, CancellationToken.None);
        var items = page.Items
            .Select(d => (d.Id, Entry: DocumentJson.TryRead<CatalogEntry>(d.Body)))
            // A damaged entry is still listed, by id, so the operator can see and delete it.
            .Select(e => new AdminTenantsApi.TenantSummary(e.Id, e.Entry?.Name ?? e.Id, e.Entry?.Plan ?? "unknown", e.Entry?.Status ?? TenantStatus.Active, e.Entry?.CreatedAt ?? default))
            .ToList();
        return new Page<AdminTenantsApi.TenantSummary>(items, page.NextCursor);
    }
}
