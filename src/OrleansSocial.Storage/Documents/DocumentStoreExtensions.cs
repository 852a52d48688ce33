using System.Runtime.CompilerServices;

namespace OrleansSocial.Storage.Documents;

public static class DocumentStoreExtensions
{
    /// <summary>Creates the database unless it exists; another process creating it first is not an error.</summary>
    public static async Task EnsureDatabaseAsync(this IDocumentStore store, string name, CancellationToken cancellationToken)
    {
        if (await store.DatabaseExistsAsync(name, cancellationToken))
        {
            return;
        }

        try
        {
            await store.CreateDatabaseAsync(name, cancellationToken);
        }
        catch (DatabaseAlreadyExistsException)
        {
            // Another silo created it first.
        }
    }

    /// <summary>Every document of a collection, by id, one page of <see cref="DocumentQuery.MaxLimit"/> at a time.</summary>
    public static IAsyncEnumerable<StoredDocument> ReadAllAsync(this IDocumentCollection collection, CancellationToken cancellationToken = default) =>
        collection.QueryAllAsync([], cancellationToken);

    /// <summary>Every document matching the filters, by id, one page of <see cref="DocumentQuery.MaxLimit"/> at a time.</summary>
    public static async IAsyncEnumerable<StoredDocument> QueryAllAsync(this IDocumentCollection collection, IReadOnlyList<FieldFilter> filters, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? cursor = null;
        do
        {
            var page = await collection.QueryAsync(new DocumentQuery { Filters = filters, Limit = DocumentQuery.MaxLimit, Cursor = cursor }, cancellationToken);
            foreach (var document in page.Items)
            {
                yield return document;
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);
    }
}
