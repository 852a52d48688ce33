using OrleansSocial.Storage.Documents;

namespace OrleansSocial.ReadModels.Lists;

/// <summary>What every list query says about itself: where it reads, how, and which index serves it.</summary>
public interface IListQuery
{
    string Collection { get; }

    IndexDefinition Index { get; }

    DocumentQuery PageQuery { get; }
}

/// <summary>
/// One list the API answers: the collection it reads, the page query (filters, sort, keyset cursor),
/// the index that serves it, and how a stored document becomes an item. Its cost is a page: the
/// query tests prove the index serves it on every engine.
/// </summary>
public abstract record ListQuery<T>(int Limit, string? Cursor) : IListQuery where T : class
{
    /// <summary>The collection, in the tenant's database (or the catalog, for the operator's lists).</summary>
    public abstract string Collection { get; }

    /// <summary>The index that serves <see cref="PageQuery"/> (also in <see cref="ReadIndexes"/>).</summary>
    public abstract IndexDefinition Index { get; }

    public abstract DocumentQuery PageQuery { get; }

    /// <summary>A stored document as an item; null leaves a damaged one out of the page rather than failing it.</summary>
    protected virtual T? Read(StoredDocument document) => DocumentJson.TryRead<T>(document.Body);

    public Task<(IReadOnlyList<T> Items, string? NextCursor)> RunAsync(IDocumentDatabase database, CancellationToken cancellationToken) =>
        RunAsync(database.GetCollection(Collection), cancellationToken);

    /// <summary>Over the collection itself, for a holder of it (the audit log holds its collection, not the database).</summary>
    public async Task<(IReadOnlyList<T> Items, string? NextCursor)> RunAsync(IDocumentCollection collection, CancellationToken cancellationToken)
    {
        var page = await collection.QueryAsync(PageQuery, cancellationToken);
        return ([.. page.Items.Select(Read).OfType<T>()], page.NextCursor);
    }

    /// <summary>A time range over a stored instant field: from inclusive, to exclusive.</summary>
    protected static IEnumerable<FieldFilter> Range(string field, DateTimeOffset? from, DateTimeOffset? to)
    {
        if (from is { } start)
        {
            yield return FieldFilter.Gte(field, StoredTime.Of(start));
        }

        if (to is { } end)
        {
            yield return FieldFilter.Lt(field, StoredTime.Of(end));
        }
    }
}
