using System.Collections.Concurrent;
using System.Data.Common;
using System.Text;
using System.Text.Json;
using Npgsql;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Naming;
using OrleansSocial.Storage.Sql;

namespace OrleansSocial.Storage.Postgres;

/// <summary>
/// The schema tier: each tenant "database" is a schema of its own in one of a few databases shared
/// by many tenants on one PostgreSQL server, so one connection pool per shared database serves them
/// all and connections no longer grow with tenants. Every statement names its schema (quoted,
/// <see cref="SqlDialect.Relation"/>); no connection's <c>search_path</c> is ever changed, so a pooled
/// connection carries nothing from one tenant to the next. A tenant's shared database follows from
/// its name (a stable hash), so nothing but the name is needed to find it.
/// </summary>
public sealed partial class PostgresSchemaStore : PostgresTierMoves, IDocumentStore, IAsyncDisposable
{
    private const string DuplicateSchema = "42P06";
    private const string InvalidCatalogName = "3D000";

    private readonly NpgsqlConnectionStringBuilder _server;
    private readonly PostgresSchemaStoreOptions _options;
    private readonly IReadOnlyList<string> _shared;
    private readonly ConcurrentDictionary<string, NpgsqlDataSource> _sources = new(StringComparer.Ordinal);
    private readonly OnceEach _ensured = new();
    private readonly ConcurrentDictionary<string, SqlDocumentDatabase> _databases = new(StringComparer.Ordinal);
    private readonly NpgsqlDataSource _maintenance;
    private readonly TableIndexes _layout;

    public PostgresSchemaStore(PostgresSchemaStoreOptions options)
    {
        _options = options;
        _layout = new TableIndexes(options.Indexes);
        _server = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        var prefix = StorageNames.Database(options.SharedDatabasePrefix);
        _shared = [.. Enumerable.Range(1, Math.Max(1, options.SharedDatabases)).Select(i => StorageNames.Database($"{prefix}_{i}"))];
        _maintenance = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(_server.ConnectionString) { Database = "postgres", MaxPoolSize = 2, ConnectionIdleLifetime = 30 });
        CatalogSchema = StorageNames.Database(options.CatalogSchema);
        Catalog = GetDatabase(CatalogSchema);
    }

    public string Engine => "postgres";

    /// <summary>The schema store's own catalog (its contract tests' catalog; the product's catalog is the database tier's).</summary>
    public string CatalogSchema { get; }

    public IDocumentDatabase Catalog { get; }

    /// <summary>The shared databases, by name.</summary>
    public IReadOnlyList<string> SharedDatabases => _shared;

    /// <summary>The shared database a tenant schema lives in.</summary>
    public string SharedDatabaseOf(string name)
    {
        // FNV-1a over the name: the same answer in every process and every version.
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(StorageNames.Database(name)))
        {
            hash = (hash ^ b) * 16777619u;
        }

        return _shared[(int)(hash % (uint)_shared.Count)];
    }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await EnsureSharedAsync(SharedDatabaseOf(CatalogSchema), cancellationToken);
        await using var connection = await OpenNpgsqlAsync(SharedDatabaseOf(CatalogSchema), cancellationToken);
        await ExecuteAsync(connection, $"CREATE SCHEMA IF NOT EXISTS \"{CatalogSchema}\"", cancellationToken);
    }

    public async Task<bool> DatabaseExistsAsync(string name, CancellationToken cancellationToken)
    {
        var shared = SharedDatabaseOf(name);
        try
        {
            await using var connection = await OpenNpgsqlAsync(shared, cancellationToken);
            await using var command = new NpgsqlCommand("SELECT 1 FROM pg_namespace WHERE nspname = @name", connection);
            command.Parameters.AddWithValue("name", StorageNames.Database(name));
            return await command.ExecuteScalarAsync(cancellationToken) is not null;
        }
        catch (DatabaseNotFoundException)
        {
            return false;
        }
    }

    public Task CreateDatabaseAsync(string name, CancellationToken cancellationToken) => CreateDatabaseAsync(name, [], cancellationToken);

    /// <summary>
    /// The schema, the tables of <see cref="PostgresSchemaStoreOptions.Collections"/> (and of the first
    /// documents' collections) with their indexes, and the first documents, in one transaction sent as
    /// one batch: a crash or a failed statement leaves either all of it or nothing, and it costs one round trip. Every other
    /// table is made on first use with its indexes (<see cref="PostgresSchemaStoreOptions.Indexes"/>):
    /// an unused collection costs a tenant nothing.
    /// </summary>
    public async Task CreateDatabaseAsync(string name, IReadOnlyList<FirstDocument> documents, CancellationToken cancellationToken)
    {
        var schema = StorageNames.Database(name);
        var shared = SharedDatabaseOf(schema);
        var collections = _options.Collections.Concat(documents.Select(d => d.Collection))
            .Select(StorageNames.Collection).Distinct(StringComparer.Ordinal).ToList();
        await EnsureSharedAsync(shared, cancellationToken);
        await using var connection = await OpenNpgsqlAsync(shared, cancellationToken);
        try
        {
            // No explicit transaction: a batch outside one runs in a single implicit transaction (one
            // Sync), so a failed statement rolls back the whole batch and the commit costs no round trip.
            await using var batch = new NpgsqlBatch(connection);
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"CREATE SCHEMA \"{schema}\""));
            foreach (var statement in collections.SelectMany(c => _layout.CreateStatements(PostgresDialect.Instance, schema, c)))
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand(statement));
            }

            foreach (var document in documents)
            {
                var insert = new NpgsqlBatchCommand(
                    $"INSERT INTO {SqlDialect.Relation(schema, "doc_" + StorageNames.Collection(document.Collection))} (id, body) VALUES ($1, $2::jsonb)");
                insert.Parameters.Add(new NpgsqlParameter { Value = document.Id });
                insert.Parameters.Add(new NpgsqlParameter { Value = document.Body.GetRawText() });
                batch.BatchCommands.Add(insert);
            }

            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException exception) when (exception.SqlState == DuplicateSchema
            || (exception.SqlState == PostgresErrorCodes.UniqueViolation && exception.ConstraintName == "pg_namespace_nspname_index"))
        {
            throw new DatabaseAlreadyExistsException(name);
        }

        // A handle used before (on a schema dropped since) forgets which tables it had made.
        Handle(schema).Made(collections);
    }

    public async Task DropDatabaseAsync(string name, CancellationToken cancellationToken)
    {
        var schema = StorageNames.Database(name);
        if (_databases.TryGetValue(schema, out var database))
        {
            database.Reset();
        }

        try
        {
            await using var connection = await OpenNpgsqlAsync(SharedDatabaseOf(schema), cancellationToken);
            await ExecuteAsync(connection, $"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE", cancellationToken);
        }
        catch (DatabaseNotFoundException)
        {
            // No shared database, no schema.
        }
    }

    public IDocumentDatabase GetDatabase(string name)
    {
        return new MissingSchemaGuard(Handle(StorageNames.Database(name)));
    }

    private SqlDocumentDatabase Handle(string schema) =>
        _databases.GetOrAdd(schema, s => new SqlDocumentDatabase(s, PostgresDialect.Instance, ct => OpenAsync(SharedDatabaseOf(s), ct), s, _layout, ct => DatabaseExistsAsync(s, ct)));

    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var command = _maintenance.CreateCommand("SELECT 1");
        await command.ExecuteScalarAsync(cancellationToken);
    }

    public bool IsBusy(Exception exception) => exception is NpgsqlException { IsTransient: true };

    public bool IsReadOnly(Exception exception) => exception is PostgresException { SqlState: PostgresErrorCodes.ReadOnlySqlTransaction };

    /// <summary>Connections this process holds open to the shared databases (idle ones included).</summary>
    public int OpenPools => _sources.Count;

    public async ValueTask DisposeAsync()
    {
        foreach (var source in _sources.Values)
        {
            await source.DisposeAsync();
        }

        await _maintenance.DisposeAsync();
    }

    /// <summary>Creates a shared database when missing, once per process (two processes racing: the loser finds it made).</summary>
    private Task EnsureSharedAsync(string shared, CancellationToken cancellationToken) => _ensured.RunAsync(shared, CreateSharedAsync);

    private async Task CreateSharedAsync(string shared)
    {
        await using var exists = _maintenance.CreateCommand("SELECT 1 FROM pg_database WHERE datname = @name");
        exists.Parameters.AddWithValue("name", shared);
        if (await exists.ExecuteScalarAsync() is null)
        {
            // False when another process made it first: made either way.
            await PostgresDocumentStore.CreateDatabaseOnAsync(_maintenance, shared, CancellationToken.None);
        }
    }

    private async Task<DbConnection> OpenAsync(string shared, CancellationToken cancellationToken) => await OpenNpgsqlAsync(shared, cancellationToken);

    private async Task<NpgsqlConnection> OpenNpgsqlAsync(string shared, CancellationToken cancellationToken)
    {
        var source = _sources.GetOrAdd(shared, s => NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(_server.ConnectionString)
        {
            Database = s,
            MaxPoolSize = Math.Max(1, _options.MaxPoolSizePerSharedDatabase),
            ConnectionIdleLifetime = 60,
            // Every statement names its schema and none leaves session state behind (no search_path, SET,
            // prepared statement, temporary table or session lock): no DISCARD ALL between tenants' uses.
            NoResetOnClose = true,
        }));
        try
        {
            return await source.OpenConnectionAsync(cancellationToken);
        }
        catch (PostgresException exception) when (exception.SqlState == InvalidCatalogName)
        {
            _ensured.Forget(shared);
            throw new DatabaseNotFoundException(shared);
        }
    }

    internal Task<NpgsqlConnection> OpenSharedOfAsync(string name, CancellationToken cancellationToken) =>
        OpenNpgsqlAsync(SharedDatabaseOf(name), cancellationToken);

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// A schema that does not exist (never made, or dropped by another process since this one made its
    /// tables) answers as a missing database does on the other tiers: <see cref="DatabaseNotFoundException"/>.
    /// </summary>
    private sealed class MissingSchemaGuard(SqlDocumentDatabase database) : IDocumentDatabase
    {
        public string Name => database.Name;

        public IDocumentCollection GetCollection(string name) => new GuardedCollection(database, database.GetCollection(name));
    }

    private sealed class GuardedCollection(SqlDocumentDatabase database, IDocumentCollection inner) : IDocumentCollection, IExplainsQueries
    {
        private const string InvalidSchemaName = "3F000";
        private const string UndefinedTable = "42P01";

        public string Name => inner.Name;

        public Task EnsureExistsAsync(CancellationToken cancellationToken) => Guard(async () =>
        {
            await inner.EnsureExistsAsync(cancellationToken);
            return true;
        });

        public Task EnsureIndexAsync(IndexDefinition index, CancellationToken cancellationToken) => Guard(async () =>
        {
            await inner.EnsureIndexAsync(index, cancellationToken);
            return true;
        });

        public Task<JsonElement?> GetAsync(string id, CancellationToken cancellationToken) => Guard(() => inner.GetAsync(id, cancellationToken));

        public Task<bool> InsertAsync(string id, JsonElement document, CancellationToken cancellationToken) => Guard(() => inner.InsertAsync(id, document, cancellationToken));

        public Task UpsertAsync(string id, JsonElement document, CancellationToken cancellationToken) => Guard(async () =>
        {
            await inner.UpsertAsync(id, document, cancellationToken);
            return true;
        });

        public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken) => Guard(() => inner.DeleteAsync(id, cancellationToken));

        public Task<DocumentPage> QueryAsync(DocumentQuery query, CancellationToken cancellationToken) => Guard(() => inner.QueryAsync(query, cancellationToken));

        public Task<long> CountAsync(IReadOnlyList<FieldFilter> filters, CancellationToken cancellationToken) => Guard(() => inner.CountAsync(filters, cancellationToken));

        public Task<long> DeleteManyAsync(IReadOnlyList<FieldFilter> filters, CancellationToken cancellationToken) => Guard(() => inner.DeleteManyAsync(filters, cancellationToken));

        public Task<string> ExplainAsync(DocumentQuery query, CancellationToken cancellationToken) => Guard(() => ((IExplainsQueries)inner).ExplainAsync(query, cancellationToken));

        private async Task<T> Guard<T>(Func<Task<T>> operation)
        {
            try
            {
                return await operation();
            }
            catch (PostgresException exception) when (exception.SqlState is InvalidSchemaName or UndefinedTable)
            {
                // Tables this process believed made are gone with their schema: forget them, so a schema made again gets them anew.
                database.Reset();
                throw new DatabaseNotFoundException(database.Name);
            }
        }
    }
}
