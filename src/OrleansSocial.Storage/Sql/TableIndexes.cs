using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Naming;

namespace OrleansSocial.Storage.Sql;

/// <summary>
/// The indexes each collection's table is made with, in the table's own transaction. A database laid
/// out this way needs no table or index up front: an unused collection costs nothing, and a table
/// never exists without its indexes.
/// </summary>
public sealed class TableIndexes
{
    private readonly IReadOnlyDictionary<string, IReadOnlyList<IndexDefinition>> _byCollection;

    public TableIndexes(IEnumerable<(string Collection, IndexDefinition Index)> indexes) =>
        _byCollection = indexes
            .GroupBy(i => StorageNames.Collection(i.Collection), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<IndexDefinition>)g.Select(i => i.Index).DistinctBy(i => i.Name).ToList(), StringComparer.Ordinal);

    public static TableIndexes None { get; } = new([]);

    /// <summary>The indexes the collection's table is made with.</summary>
    public IReadOnlyList<IndexDefinition> Of(string collection) =>
        _byCollection.TryGetValue(StorageNames.Collection(collection), out var indexes) ? indexes : [];

    public bool Declares(string collection, IndexDefinition index) => Of(collection).Any(i => i.Name == index.Name);

    /// <summary>The statements that make the collection's table and its indexes.</summary>
    public IEnumerable<string> CreateStatements(SqlDialect dialect, string? schema, string collection)
    {
        var table = "doc_" + StorageNames.Collection(collection);
        yield return dialect.CreateTable(SqlDialect.Relation(schema, table));
        foreach (var index in Of(collection))
        {
            yield return dialect.CreateIndex(table, index, schema);
        }
    }
}
