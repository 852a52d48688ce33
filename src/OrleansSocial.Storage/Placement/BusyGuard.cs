using System.Text.Json;
using OrleansSocial.Storage.Documents;

namespace OrleansSocial.Storage.Placement;

/// <summary>
/// Turns an engine's "no capacity right now" into <see cref="StorageBusyException"/>, one type for
/// every engine, so grains and the front answer 503 with a wait instead of an unexpected 500.
/// </summary>
internal sealed class BusyGuardedDatabase(IDocumentDatabase inner, IDocumentStore engine, TimeSpan retryAfter) : IDocumentDatabase
{
    public string Name => inner.Name;

    public IDocumentCollection GetCollection(string name) => new BusyGuardedCollection(inner.GetCollection(name), engine, inner.Name, retryAfter);
}

/// <inheritdoc cref="BusyGuardedDatabase"/>
internal sealed class BusyGuardedCollection(IDocumentCollection inner, IDocumentStore engine, string database, TimeSpan retryAfter) : IDocumentCollection
{
    public string Name => inner.Name;

    public Task EnsureExistsAsync(CancellationToken cancellationToken) =>
        Guarded(async () =>
        {
            await inner.EnsureExistsAsync(cancellationToken);
            return true;
        });

    public Task EnsureIndexAsync(IndexDefinition index, CancellationToken cancellationToken) =>
        Guarded(async () =>
        {
            await inner.EnsureIndexAsync(index, cancellationToken);
            return true;
        });

    public Task<JsonElement?> GetAsync(string id, CancellationToken cancellationToken) =>
        Guarded(() => inner.GetAsync(id, cancellationToken));

    public Task<bool> InsertAsync(string id, JsonElement document, CancellationToken cancellationToken) =>
        Guarded(() => inner.InsertAsync(id, document, cancellationToken));

    public Task UpsertAsync(string id, JsonElement document, CancellationToken cancellationToken) =>
        Guarded(async () =>
        {
            await inner.UpsertAsync(id, document, cancellationToken);
            return true;
        });

    public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken) =>
        Guarded(() => inner.DeleteAsync(id, cancellationToken));

    public Task<DocumentPage> QueryAsync(DocumentQuery query, CancellationToken cancellationToken) =>
        Guarded(() => inner.QueryAsync(query, cancellationToken));

    public Task<long> CountAsync(IReadOnlyList<FieldFilter> filters, CancellationToken cancellationToken) =>
        Guarded(() => inner.CountAsync(filters, cancellationToken));

    public Task<long> DeleteManyAsync(IReadOnlyList<FieldFilter> filters, CancellationToken cancellationToken) =>
        Guarded(() => inner.DeleteManyAsync(filters, cancellationToken));

    private async Task<T> Guarded<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation();
        }
        catch (Exception exception) when (engine.IsBusy(exception))
        {
            throw new StorageBusyException(database, retryAfter, exception);
        }
    }
}
