using System.Text.Json;

namespace OrleansSocial.Storage.Documents;

/// <summary>JSON documents keyed by a string id, queried by indexed top-level fields.</summary>
public interface IDocumentCollection
{
    string Name { get; }

    /// <summary>
    /// Makes the collection now when it is missing (with the indexes it is made with). Idempotent. Writes make
    /// it anyway; this is for making it ahead of a write that should not pay for it.
    /// </summary>
    Task EnsureExistsAsync(CancellationToken cancellationToken);

    /// <summary>Creates the index when missing (and the collection with it). Idempotent.</summary>
    Task EnsureIndexAsync(IndexDefinition index, CancellationToken cancellationToken);

    Task<JsonElement?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Adds the document unless one with this id exists; returns whether it was added.</summary>
    Task<bool> InsertAsync(string id, JsonElement document, CancellationToken cancellationToken);

    /// <summary>Adds or replaces the document with this id.</summary>
    Task UpsertAsync(string id, JsonElement document, CancellationToken cancellationToken);

    /// <summary>Returns whether a document was deleted.</summary>
    Task<bool> DeleteAsync(string id, CancellationToken cancellationToken);

    /// <summary>Documents matching every filter, sorted, one page at a time (keyset cursor).</summary>
    Task<DocumentPage> QueryAsync(DocumentQuery query, CancellationToken cancellationToken);

    Task<long> CountAsync(IReadOnlyList<FieldFilter> filters, CancellationToken cancellationToken);

    /// <summary>Deletes every document matching all filters in one statement; returns how many. No filter is refused.</summary>
    Task<long> DeleteManyAsync(IReadOnlyList<FieldFilter> filters, CancellationToken cancellationToken);
}

/// <summary>A collection whose engine can print its plan for a query (how tests prove a read is served by an index).</summary>
public interface IExplainsQueries
{
    Task<string> ExplainAsync(DocumentQuery query, CancellationToken cancellationToken);
}
