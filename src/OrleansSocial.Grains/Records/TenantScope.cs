using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Naming;

namespace OrleansSocial.Grains.Records;

/// <summary>
/// What a grain owned by a tenant knows from its key alone: the tenant, its own id within the tenant,
/// and the tenant's database. Keys are <c>{tenantId}/{id}</c>; tenant ids never hold a slash, so the first one splits them.
/// </summary>
public readonly record struct TenantScope(string TenantId, string Id)
{
    public static TenantScope Of(string grainKey)
    {
        var slash = grainKey.IndexOf('/');
        return slash < 0 ? new TenantScope(grainKey, "") : new TenantScope(grainKey[..slash], grainKey[(slash + 1)..]);
    }

    /// <summary>As the pair a grain names in its own words: <c>(TenantId, PostId)</c>, <c>(TenantId, ChannelId)</c>, …</summary>
    public static implicit operator (string TenantId, string Id)(TenantScope scope) => (scope.TenantId, scope.Id);

    /// <summary>The tenant's database handle: the one place a tenant-owned grain learns where its tenant's data lives.</summary>
    public IDocumentDatabase Database(IDocumentStore store) => store.GetDatabase(StorageNames.TenantDatabase(TenantId));
}
