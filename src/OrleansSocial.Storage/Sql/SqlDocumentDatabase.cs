using System.Data.Common;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Naming;

namespace OrleansSocial.Storage.Sql;

/// <summary>
/// A SQL database of document tables; each table is created once, on first use, with the indexes
/// <paramref name="layout"/> gives it (in one transaction). With a <paramref name="schema"/>, the
/// "database" is that schema of a database shared with others, and <paramref name="exists"/> says whether it
/// still is (a read that finds no table asks: no table in a schema that exists reads as empty).
/// </summary>
public sealed class SqlDocumentDatabase(string name, SqlDialect dialect, Func<CancellationToken, Task<DbConnection>> open, string? schema = null, TableIndexes? layout = null,
    Func<CancellationToken, Task<bool>>? exists = null) : IDocumentDatabase
{
    // A failed CREATE (database missing, engine down) is not remembered.
    private readonly OnceEach _tables = new();
    private readonly TableIndexes _layout = layout ?? TableIndexes.None;

    // Set when this process made the database: every table it has or will have was made with the layout's indexes.
    private volatile bool _madeHere;

    public string Name { get; } = StorageNames.Database(name);

    public IDocumentCollection GetCollection(string name) => new SqlDocumentCollection(name, dialect, open, EnsureTableAsync, schema, ComesWithTable, NoTableAsync);

    /// <summary>Forgets which tables exist, after the database was dropped and may be created again.</summary>
    public void Reset()
    {
        _tables.Clear();
        _madeHere = false;
    }

    /// <summary>
    /// This process has just made the database with the tables of <paramref name="collections"/> and
    /// their indexes: those need no statement, and no index of the layout does (a table made later
    /// is made with it).
    /// </summary>
    public void Made(IEnumerable<string> collections)
    {
        _tables.Clear();
        foreach (var collection in collections)
        {
            _tables.MarkDone(Relation(collection));
        }

        _madeHere = true;
    }

    /// <summary>A read found no table: one believed made is gone (made again by the next write); with its database, the read fails as a missing database.</summary>
    private async Task NoTableAsync(string collection, CancellationToken cancellationToken)
    {
        _tables.Forget(Relation(collection));
        if (exists is not null && !await exists(cancellationToken))
        {
            Reset();
            throw new DatabaseNotFoundException(Name);
        }
    }

    private bool ComesWithTable(string collection, IndexDefinition index) => _madeHere && _layout.Declares(collection, index);

    private string Relation(string collection) => SqlDialect.Relation(schema, "doc_" + StorageNames.Collection(collection));

    private Task EnsureTableAsync(string collection, CancellationToken cancellationToken) =>
        _tables.RunAsync(Relation(collection), _ => CreateAsync(collection));

    private async Task CreateAsync(string collection)
    {
        try
        {
            await CreateOnceAsync(collection);
        }
        catch (DbException)
        {
            // Two processes racing on CREATE TABLE IF NOT EXISTS: PostgreSQL can fail the loser
            // on its catalog's unique index. The table exists now; one more try confirms it.
            await CreateOnceAsync(collection);
        }
    }

    private async Task CreateOnceAsync(string collection)
    {
        var statements = _layout.CreateStatements(dialect, schema, collection).ToList();
        await using var connection = await open(CancellationToken.None);
        // A table with indexes is made with them or not at all.
        await using var transaction = statements.Count > 1 ? await connection.BeginTransactionAsync() : null;
        foreach (var statement in statements)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = statement;
            await command.ExecuteNonQueryAsync();
        }

        if (transaction is not null)
        {
            await transaction.CommitAsync();
        }
    }
}
