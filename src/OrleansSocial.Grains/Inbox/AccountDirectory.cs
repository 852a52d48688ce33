using OrleansSocial.ReadModels;
using OrleansSocial.ReadModels.Inbox;
using OrleansSocial.Storage.Documents;

namespace OrleansSocial.Grains.Inbox;

/// <summary>
/// The cluster-wide directory from a platform account to the tenants' channels that hold it (catalog
/// collection <c>account_channels</c>), kept by channel grains on connect and disconnect. Meta's
/// notifications name an account, never a tenant: this is the only way one reaches a tenant, and
/// every tenant listed for the account gets it.
/// </summary>
public sealed class AccountDirectory(IDocumentStore store)
{
    private IDocumentCollection Entries => store.Catalog.GetCollection(Collections.AccountChannels);

    public static IEnumerable<IndexDefinition> Indexes => [AccountChannel.ByAccount, AccountChannel.ByPage, AccountChannel.ByTenant];

    public async Task<IReadOnlyList<AccountChannel>> ForAccountAsync(string accountId, CancellationToken cancellationToken)
    {
        var found = new List<AccountChannel>();
        string? cursor = null;
        do
        {
            var page = await Entries.QueryAsync(new DocumentQuery { Filters = [FieldFilter.Eq("accountId", accountId)], Limit = 100, Cursor = cursor }, cancellationToken);
            found.AddRange(page.Items.Select(i => DocumentJson.TryRead<AccountChannel>(i.Body)).OfType<AccountChannel>());
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return found;
    }

    public Task AddAsync(AccountChannel entry, CancellationToken cancellationToken) =>
        Entries.UpsertAsync(entry.Id, DocumentJson.ToJson(entry), cancellationToken);

    /// <summary>Every entry of a tenant (its deletion): what a channel that could not disconnect left behind.</summary>
    public Task<long> RemoveTenantAsync(string tenantId, CancellationToken cancellationToken) =>
        Entries.DeleteManyAsync([FieldFilter.Eq("tenantId", tenantId)], cancellationToken);

    /// <summary>Removes the entry; returns how many channels (of any tenant) still use the Page's subscription.</summary>
    public async Task<long> RemoveAsync(AccountChannel entry, CancellationToken cancellationToken)
    {
        await Entries.DeleteAsync(entry.Id, cancellationToken);
        return entry.PageId is null ? 1 : await Entries.CountAsync([FieldFilter.Eq("pageId", entry.PageId)], cancellationToken);
    }
}
