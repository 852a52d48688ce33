using System.Data.Common;
using System.Text.Json;
using OrleansSocial.Storage.Documents;

namespace OrleansSocial.Storage.Placement;

/// <summary>A database handle that finds its server per operation.</summary>
internal sealed class PlacedDatabase(PlacedDocumentStore store, string name) : IDocumentDatabase
{
    public string Name => name;

    public IDocumentCollection GetCollection(string collection) =>
        new BusyGuardedCollection(new PlacedCollection(store, name, Naming.StorageNames.Collection(collection)), store, name, store.BusyRetryAfter);
}

/// <summary>
/// Runs each operation on the server the catalog places the database on. When one fails in a
/// way a move explains (the database is gone, or refuses writes), the placement is read again:
/// moved, the operation runs once more on the new server; still moving, the write is refused
/// with <see cref="TenantMovingException"/> so the caller can answer 503 and come back.
/// </summary>
internal sealed class PlacedCollection(PlacedDocumentStore store, string database, string name) : IDocumentCollection
{
    public string Name => name;

    public Task EnsureExistsAsync(CancellationToken cancellationToken) =>
        RunAsync(async c =>
        {
            await c.EnsureExistsAsync(cancellationToken);
            return true;
        }, cancellationToken);

    public Task EnsureIndexAsync(IndexDefinition index, CancellationToken cancellationToken) =>
        RunAsync(async c =>
        {
            await c.EnsureIndexAsync(index, cancellationToken);
            return true;
        }, cancellationToken);

    public Task<JsonElement?> GetAsync(string id, CancellationToken cancellationToken) =>
        RunAsync(c => c.GetAsync(id, cancellationToken), cancellationToken);

    public Task<bool> InsertAsync(string id, JsonElement document, CancellationToken cancellationToken) =>
        RunAsync(c => c.InsertAsync(id, document, cancellationToken), cancellationToken);

    public Task UpsertAsync(string id, JsonElement document, CancellationToken cancellationToken) =>
        RunAsync(async c =>
        {
            await c.UpsertAsync(id, document, cancellationToken);
            return true;
        }, cancellationToken);

    public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken) =>
        RunAsync(c => c.DeleteAsync(id, cancellationToken), cancellationToken);

    public Task<DocumentPage> QueryAsync(DocumentQuery query, CancellationToken cancellationToken) =>
        RunAsync(c => c.QueryAsync(query, cancellationToken), cancellationToken);

    public Task<long> CountAsync(IReadOnlyList<FieldFilter> filters, CancellationToken cancellationToken) =>
        RunAsync(c => c.CountAsync(filters, cancellationToken), cancellationToken);

    public Task<long> DeleteManyAsync(IReadOnlyList<FieldFilter> filters, CancellationToken cancellationToken) =>
        RunAsync(c => c.DeleteManyAsync(filters, cancellationToken), cancellationToken);

    private IDocumentCollection On(DatabaseLocation location) => store.StoreAt(location).GetDatabase(database).GetCollection(name);

    private async Task<T> RunAsync<T>(Func<IDocumentCollection, Task<T>> operation, CancellationToken cancellationToken)
    {
        var placement = await store.Directory.ResolveAsync(database, cancellationToken);
        try
        {
            return await operation(On(placement.Location));
        }
        catch (Exception exception) when (exception is DatabaseNotFoundException or DbException)
        {
            var now = await store.Directory.RefreshAsync(database, cancellationToken);
            if (now.Location != placement.Location)
            {
                return await operation(On(now.Location));
            }

            if (store.StoreAt(placement.Location).IsReadOnly(exception))
            {
                throw new TenantMovingException(database, store.MoveRetryAfter, exception);
            }

            throw;
        }
    }
}
