using OrleansSocial.Api.Tenancy;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Naming;

namespace OrleansSocial.Api.Storage;

public static class TenantDatabaseExtensions
{
    /// <summary>The database of the tenant this request was resolved to: the only one a tenant route reads.</summary>
    public static IDocumentDatabase TenantDatabase(this IDocumentStore store, HttpContext context) =>
        store.GetDatabase(StorageNames.TenantDatabase(context.Tenant().TenantId));
}
