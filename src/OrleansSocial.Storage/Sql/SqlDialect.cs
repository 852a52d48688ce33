using OrleansSocial.Storage.Documents;

namespace OrleansSocial.Storage.Sql;

/// <summary>What differs between the SQL engines that store documents as JSON in one table per collection.</summary>
public abstract class SqlDialect
{
    /// <summary>A SQL expression reading a top-level field of the <c>body</c> column, comparable by its kind.</summary>
    public abstract string Field(string field, FieldKind kind);

    /// <summary>The id column as compared and sorted (ordinal in every engine).</summary>
    public abstract string Id { get; }

    /// <summary>How the body parameter is written into an INSERT.</summary>
    public abstract string BodyParameter { get; }

    public abstract string CreateTable(string table);

    /// <summary>The engine's answer to a statement on a table that does not exist.</summary>
    public abstract bool IsMissingTable(System.Data.Common.DbException exception);

    /// <summary>What goes before a SELECT to have the engine print its plan instead of running it.</summary>
    public abstract string Explain { get; }

    /// <param name="schema">The table's schema (the index is made there too); null: the connection's default.</param>
    public string CreateIndex(string table, IndexDefinition index, string? schema = null)
    {
        var name = $"ix_{table}_{index.Name}";
        if (name.Length > 63)
        {
            throw new ArgumentException($"Index name '{name}' is longer than 63 characters.", nameof(index));
        }

        var columns = string.Join(", ", index.Fields.Select(f =>
            $"({Field(Naming.StorageNames.Field(f.Field), f.Kind)}){(f.Descending ? " DESC" : "")}"));
        return $"CREATE {(index.Unique ? "UNIQUE " : "")}INDEX IF NOT EXISTS {name} ON {Relation(schema, table)} ({columns})";
    }

    /// <summary>
    /// A table as statements name it: bare, or qualified by its schema with both identifiers quoted, so
    /// a statement never depends on a connection's <c>search_path</c> (pooled connections are shared by
    /// every schema of a database). Both names have passed <see cref="Naming.StorageNames"/>' patterns.
    /// </summary>
    public static string Relation(string? schema, string table) =>
        schema is null ? table : $"\"{Naming.StorageNames.Database(schema)}\".\"{table}\"";
}
