using Microsoft.Data.Sqlite;
using OrleansSocial.Persistence.Sqlite.Providers;

namespace OrleansSocial.Persistence.Sqlite.Storage;

/// <summary>
/// Opens connections to one SQLite file with the settings every provider on it needs:
/// WAL so readers never block the writer, and a busy timeout so two silos in one
/// process (tests) or two providers on one file wait for each other instead of failing.
/// </summary>
internal sealed class SqliteDatabase
{
    private readonly string _connectionString;
    private readonly int _busyTimeoutMs;

    public SqliteDatabase(SqliteOrleansOptions options)
    {
        var path = Path.GetFullPath(options.DatabasePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        OwnerOnlyFile(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
        }.ToString();
        _busyTimeoutMs = (int)options.BusyTimeout.TotalMilliseconds;
    }

    /// <summary>
    /// Grain state and reminders name tenants and hold their records: readable by the service's user
    /// only (0600), like the tenant files. SQLite gives its WAL and shared-memory files the database
    /// file's mode, so creating it first covers them; a file an earlier version made is tightened.
    /// </summary>
    private static void OwnerOnlyFile(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        const UnixFileMode ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using var _ = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = ownerOnly });
        }
        catch (IOException) when (File.Exists(path))
        {
            File.SetUnixFileMode(path, ownerOnly);
        }
    }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = $"PRAGMA busy_timeout = {_busyTimeoutMs}; PRAGMA synchronous = NORMAL;";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    /// <summary>Runs idempotent DDL; journal mode is a property of the file, so it is set here once.</summary>
    public async Task EnsureSchemaAsync(string ddl, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL;" + ddl;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
