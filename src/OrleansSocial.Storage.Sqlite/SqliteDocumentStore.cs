using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Naming;
using OrleansSocial.Storage.Sql;

namespace OrleansSocial.Storage.Sqlite;

/// <summary>
/// One SQLite file per database in one folder: <c>{name}.db</c>. Tenant files are only ever
/// created by <see cref="CreateDatabaseAsync"/>; every other open refuses a missing file.
/// </summary>
public sealed class SqliteDocumentStore : IDocumentStore
{
    private readonly string _folder;
    private readonly ConcurrentDictionary<string, SqlDocumentDatabase> _databases = new();

    private readonly long _memoryLimitBytes;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _pooledSlots = new(StringComparer.Ordinal);

    /// <summary>Connections per file kept in the pool: SQLite has one writer at a time, so more buy little.</summary>
    public const int PooledPerDatabase = 2;

    /// <param name="memoryLimitMiB">
    /// SQLite's soft heap limit for the whole process (0: none). Every tenant database keeps pooled
    /// connections, each with its own page cache; near the limit a cache reuses its own pages instead
    /// of growing, so a thousand tenant files cost the limit, not a thousand caches.
    /// </param>
    public SqliteDocumentStore(string folder, int memoryLimitMiB = 0)
    {
        _folder = Path.GetFullPath(folder);
        _memoryLimitBytes = Math.Max(0, memoryLimitMiB) * 1024L * 1024L;
        Catalog = new ThreadPoolDatabase(Database(StorageNames.CatalogDatabase));
    }

    public string Engine => "sqlite";

    public IDocumentDatabase Catalog { get; }

    public string PathOf(string name) => Path.Combine(_folder, StorageNames.Database(name) + ".db");

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        OwnerOnly.CreateFolder(_folder);
        OwnerOnly.CreateFileIfMissing(PathOf(StorageNames.CatalogDatabase));
        await using var connection = new SqliteConnection(ConnectionString(StorageNames.CatalogDatabase, SqliteOpenMode.ReadWriteCreate));
        await connection.OpenAsync(cancellationToken);
        await SetJournalModeAsync(connection, cancellationToken);
        if (_memoryLimitBytes > 0)
        {
            await using var limit = connection.CreateCommand();
            limit.CommandText = $"PRAGMA soft_heap_limit = {_memoryLimitBytes}";
            await limit.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public Task<bool> DatabaseExistsAsync(string name, CancellationToken cancellationToken) =>
        Task.FromResult(File.Exists(PathOf(name)));

    public async Task CreateDatabaseAsync(string name, CancellationToken cancellationToken)
    {
        OwnerOnly.CreateFolder(_folder);
        var path = PathOf(name);
        try
        {
            // CreateNew makes the existence check and the creation one atomic step. Owner-only: SQLite
            // gives its -wal and -shm files the mode of the database file.
            await using (new FileStream(path, OwnerOnly.NewFile))
            {
            }
        }
        catch (IOException) when (File.Exists(path))
        {
            throw new DatabaseAlreadyExistsException(name);
        }

        await using var connection = new SqliteConnection(ConnectionString(name, SqliteOpenMode.ReadWrite));
        await connection.OpenAsync(cancellationToken);
        await SetJournalModeAsync(connection, cancellationToken);
    }

    public Task DropDatabaseAsync(string name, CancellationToken cancellationToken)
    {
        var path = PathOf(name);
        if (_databases.TryRemove(name, out var database))
        {
            database.Reset();
        }

        using (var connection = new SqliteConnection(ConnectionString(name, SqliteOpenMode.ReadWrite)))
        {
            SqliteConnection.ClearPool(connection);
        }

        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }

        return Task.CompletedTask;
    }

    public IDocumentDatabase GetDatabase(string name) => new ThreadPoolDatabase(Database(name));

    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(ConnectionString(StorageNames.CatalogDatabase, SqliteOpenMode.ReadOnly));
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1";
        await command.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>A file still locked by another writer when the busy timeout ran out.</summary>
    public bool IsBusy(Exception exception) => exception is SqliteException { SqliteErrorCode: SQLitePCL.raw.SQLITE_BUSY or SQLitePCL.raw.SQLITE_LOCKED };

    private static readonly ConditionalWeakTable<SQLitePCL.sqlite3, object> Tuned = new();

    private SqlDocumentDatabase Database(string name) =>
        _databases.GetOrAdd(StorageNames.Database(name), n => new SqlDocumentDatabase(n, SqliteDialect.Instance, ct => OpenAsync(n, ct)));

    /// <summary>
    /// At most <see cref="PooledPerDatabase"/> connections of one file come from (and go back to) the
    /// pool; more at the same moment open unpooled and are gone when closed. Pooled SQLite connections
    /// keep their page cache, schema and lookaside memory: a thousand tenant files with a pooled
    /// connection for every concurrent use held ~700 MB. Never waits, so a caller holding one
    /// connection while opening another cannot deadlock.
    /// </summary>
    private async Task<DbConnection> OpenAsync(string name, CancellationToken cancellationToken)
    {
        var slots = _pooledSlots.GetOrAdd(name, _ => new SemaphoreSlim(PooledPerDatabase));
        var slot = slots.Wait(0) ? new PooledSlot(slots) : null;
        var connection = new SqliteConnection(ConnectionString(name, SqliteOpenMode.ReadWrite, pooling: slot is not null));
        if (slot is not null)
        {
            connection.StateChange += (_, change) =>
            {
                if (change.CurrentState == System.Data.ConnectionState.Closed)
                {
                    slot.Release();
                }
            };
        }

        try
        {
            await connection.OpenAsync(cancellationToken);
            // WAL with synchronous=NORMAL: commits survive a process crash and the file never corrupts;
            // an OS crash or power cut may roll back the last moments of commits. Without it every
            // commit waits for an fsync, which made the sync engine 3x slower (benchmarks/, sync).
            // The setting lives as long as the native connection, which the pool keeps: set once each.
            if (connection.Handle is { } handle && !Tuned.TryGetValue(handle, out _))
            {
                await using var pragma = connection.CreateCommand();
                pragma.CommandText = "PRAGMA synchronous = NORMAL";
                await pragma.ExecuteNonQueryAsync(cancellationToken);
                Tuned.AddOrUpdate(handle, Tuned);
            }
        }
        catch (SqliteException) when (!File.Exists(PathOf(name)))
        {
            await connection.DisposeAsync();
            slot?.Release();
            throw new DatabaseNotFoundException(name);
        }
        catch
        {
            await connection.DisposeAsync();
            slot?.Release();
            throw;
        }

        return connection;
    }

    /// <summary>One pooled place of a file, given back once however often its connection reports closing.</summary>
    private sealed class PooledSlot(SemaphoreSlim slots)
    {
        private int _released;

        public void Release()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }

    private string ConnectionString(string name, SqliteOpenMode mode, bool pooling = true) => new SqliteConnectionStringBuilder
    {
        DataSource = PathOf(name),
        Mode = mode,
        Pooling = pooling,
        DefaultTimeout = 30,
    }.ToString();

    private static async Task SetJournalModeAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
