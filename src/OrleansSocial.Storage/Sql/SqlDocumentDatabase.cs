using System.Data.Common;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Naming;

namespace OrleansSocial.Storage.Sql;

/// <summary>
/// A SQL database of document tables; each table is created once, on first use. With a
/// <paramref name="schema"/>, the "database" is that schema of a database shared with others.
/// </summary>
public sealed class SqlDocumentDatabase(string name, SqlDialect dialect, Func<CancellationToken, Task<DbConnection>> open, string? schema = null) : IDocumentDatabase
{
    // A failed CREATE (database missing, engine down) is not remembered.
    private readonly OnceEach _tables = new();

    public string Name { get; } = StorageNames.Database(name);

    public IDocumentCollection GetCollection(string name) => new SqlDocumentCollection(name, dialect, open, EnsureTableAsync, schema);

    /// <summary>Forgets which tables exist, after the database was dropped and may be created again.</summary>
    public void Reset() => _tables.Clear();

    private Task EnsureTableAsync(string table, CancellationToken cancellationToken) => _tables.RunAsync(table, CreateAsync);

    private async Task CreateAsync(string table)
    {
        try
        {
            await CreateOnceAsync(table);
        }
        catch (DbException)
        {
            // Two processes racing on CREATE TABLE IF NOT EXISTS: PostgreSQL can fail the loser
            // on its catalog's unique index. The table exists now; one more try confirms it.
            await CreateOnceAsync(table);
        }
    }

    private async Task CreateOnceAsync(string table)
    {
        await using var connection = await open(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = dialect.CreateTable(table);
        await command.ExecuteNonQueryAsync();
    }
}
