using System.Collections.Concurrent;
using System.Data.Common;
using Npgsql;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Naming;
using OrleansSocial.Storage.Sql;

namespace OrleansSocial.Storage.Postgres;

/// <summary>
/// A database per tenant on one PostgreSQL server. Databases are created from <c>template0</c>
/// with the "C" collation so ordering is ordinal like the other engines.
/// </summary>
public sealed partial class PostgresDocumentStore : PostgresTierMoves, IDocumentStore, IAsyncDisposable
{
    private const string DuplicateDatabase = "42P04";
    private const string InvalidCatalogName = "3D000";

    private readonly NpgsqlConnectionStringBuilder _server;
    private readonly string _catalog;
    private readonly DataSourceCache _sources;
    private readonly NpgsqlDataSource _maintenance;
    private readonly ConcurrentDictionary<string, SqlDocumentDatabase> _databases = new();

    public PostgresDocumentStore(PostgresStoreOptions options)
    {
        _server = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        _catalog = StorageNames.Database(string.IsNullOrEmpty(_server.Database) ? "orleans_social" : _server.Database);
        _sources = new DataSourceCache(_server, Math.Max(1, options.MaxOpenDatabases), Math.Max(1, options.MaxPoolSizePerDatabase), prepared: _catalog);
        _maintenance = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(_server.ConnectionString) { Database = "postgres", MaxPoolSize = 4 });
        Catalog = Database(_catalog);
    }

    public string Engine => "postgres";

    public IDocumentDatabase Catalog { get; }

    internal int OpenPools => _sources.Count;

    public Task InitializeAsync(CancellationToken cancellationToken) => this.EnsureDatabaseAsync(_catalog, cancellationToken);

    public async Task<bool> DatabaseExistsAsync(string name, CancellationToken cancellationToken)
    {
        await using var command = _maintenance.CreateCommand("SELECT 1 FROM pg_database WHERE datname = @name");
        command.Parameters.AddWithValue("name", StorageNames.Database(name));
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    public async Task CreateDatabaseAsync(string name, CancellationToken cancellationToken)
    {
        if (!await CreateDatabaseOnAsync(_maintenance, name, cancellationToken))
        {
            throw new DatabaseAlreadyExistsException(name);
        }
    }

    /// <summary>
    /// <c>CREATE DATABASE</c> from <c>template0</c> with the "C" collation; false when it exists already.
    /// Two processes creating the same database at the same moment: the loser may see the catalog's
    /// unique index instead of "already exists" (silos of a cluster starting together).
    /// </summary>
    internal static async Task<bool> CreateDatabaseOnAsync(NpgsqlDataSource maintenance, string name, CancellationToken cancellationToken)
    {
        // Identifiers cannot be parameters; StorageNames guarantees [a-z0-9_] only.
        await using var command = maintenance.CreateCommand(
            $"CREATE DATABASE {StorageNames.Database(name)} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'");
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
            return true;
        }
        catch (PostgresException exception) when (exception.SqlState == DuplicateDatabase
            || (exception.SqlState == PostgresErrorCodes.UniqueViolation && exception.ConstraintName == "pg_database_datname_index"))
        {
            return false;
        }
    }

    public async Task DropDatabaseAsync(string name, CancellationToken cancellationToken)
    {
        StorageNames.Database(name);
        if (_databases.TryRemove(name, out var database))
        {
            database.Reset();
        }

        await _sources.RemoveAsync(name);
        await using var command = _maintenance.CreateCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public IDocumentDatabase GetDatabase(string name) => Database(name);

    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var command = _maintenance.CreateCommand("SELECT 1");
        await command.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>
    /// Npgsql's own verdict: the pool exhausted (its wait timed out), the server out of connections
    /// (53300) or not accepting them yet (57P03), a dropped socket, a lock or statement timeout.
    /// </summary>
    public bool IsBusy(Exception exception) => exception is NpgsqlException { IsTransient: true };

    /// <summary>SQLSTATE 25006 (read_only_sql_transaction): what the move's freeze trigger raises.</summary>
    public bool IsReadOnly(Exception exception) => exception is PostgresException { SqlState: PostgresErrorCodes.ReadOnlySqlTransaction };

    public async ValueTask DisposeAsync()
    {
        await _sources.DisposeAsync();
        await _maintenance.DisposeAsync();
    }

    private SqlDocumentDatabase Database(string name) =>
        _databases.GetOrAdd(StorageNames.Database(name), n => new SqlDocumentDatabase(n, PostgresDialect.Instance, ct => OpenAsync(n, ct)));

    private async Task<DbConnection> OpenAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return await _sources.Get(name).OpenConnectionAsync(cancellationToken);
        }
        catch (PostgresException exception) when (exception.SqlState == InvalidCatalogName)
        {
            await _sources.RemoveAsync(name);
            throw new DatabaseNotFoundException(name);
        }
    }
}
