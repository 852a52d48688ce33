using System.Text.Json;
using OrleansSocial.Storage.Documents;

namespace OrleansSocial.Storage.Sqlite;

/// <summary>
/// Microsoft.Data.Sqlite's async methods run synchronously on the calling thread: a grain awaiting
/// one would hold an Orleans scheduler thread for the whole statement (busy waits on a locked file
/// included), slowing every grain of the silo and stretching failure detection. Every operation is
/// therefore started on the thread pool; the grain's continuation comes back to its own scheduler.
/// </summary>
internal sealed class ThreadPoolDatabase(IDocumentDatabase inner) : IDocumentDatabase
{
    public string Name => inner.Name;

    public IDocumentCollection GetCollection(string name) => new ThreadPoolCollection(inner.GetCollection(name));

    private sealed class ThreadPoolCollection(IDocumentCollection inner) : IDocumentCollection, IExplainsQueries
    {
        public string Name => inner.Name;

        public Task EnsureExistsAsync(CancellationToken cancellationToken) =>
            Task.Run(() => inner.EnsureExistsAsync(cancellationToken), cancellationToken);

        public Task EnsureIndexAsync(IndexDefinition index, CancellationToken cancellationToken) =>
            Task.Run(() => inner.EnsureIndexAsync(index, cancellationToken), cancellationToken);

        public Task<JsonElement?> GetAsync(string id, CancellationToken cancellationToken) =>
            Task.Run(() => inner.GetAsync(id, cancellationToken), cancellationToken);

        public Task<bool> InsertAsync(string id, JsonElement document, CancellationToken cancellationToken) =>
            Task.Run(() => inner.InsertAsync(id, document, cancellationToken), cancellationToken);

        public Task UpsertAsync(string id, JsonElement document, CancellationToken cancellationToken) =>
            Task.Run(() => inner.UpsertAsync(id, document, cancellationToken), cancellationToken);

        public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken) =>
            Task.Run(() => inner.DeleteAsync(id, cancellationToken), cancellationToken);

        public Task<DocumentPage> QueryAsync(DocumentQuery query, CancellationToken cancellationToken) =>
            Task.Run(() => inner.QueryAsync(query, cancellationToken), cancellationToken);

        public Task<long> CountAsync(IReadOnlyList<FieldFilter> filters, CancellationToken cancellationToken) =>
            Task.Run(() => inner.CountAsync(filters, cancellationToken), cancellationToken);

        public Task<string> ExplainAsync(DocumentQuery query, CancellationToken cancellationToken) =>
            Task.Run(() => ((IExplainsQueries)inner).ExplainAsync(query, cancellationToken), cancellationToken);

        public Task<long> DeleteManyAsync(IReadOnlyList<FieldFilter> filters, CancellationToken cancellationToken) =>
            Task.Run(() => inner.DeleteManyAsync(filters, cancellationToken), cancellationToken);
    }
}
