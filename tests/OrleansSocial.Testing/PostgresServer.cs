using System.Diagnostics;
using Npgsql;

namespace OrleansSocial.Testing;

/// <summary>
/// A throwaway PostgreSQL server: <c>initdb</c> in a temp folder, listening only on a Unix socket
/// in that folder (no TCP port to find or to collide on), stopped and removed on dispose. As root the server runs as the <c>postgres</c> user
/// (PostgreSQL refuses to run as root). Missing binaries fail the tests with how to install them.
/// </summary>
public sealed class PostgresServer : Xunit.IAsyncLifetime
{
    private readonly TempFolder _folder = new("orleans-social-pg");
    private readonly bool _asRoot = Environment.UserName == "root";
    private string _binaries = "";

    /// <summary>The server's <c>max_connections</c>; a benchmark of many tenant databases needs more than tests do.</summary>
    public int MaxConnections { get; init; } = 300;

    /// <summary>Names the socket file (<c>.s.PGSQL.5432</c>) inside the server's own folder: never shared.</summary>
    public int Port => 5432;

    /// <summary>The folder holding the server's socket: what Npgsql takes as <c>Host</c>.</summary>
    public string SocketFolder => _folder.Path;

    /// <summary>Connection string of the <c>postgres</c> superuser on the maintenance database.</summary>
    public string ConnectionString => ConnectionStringFor("postgres");

    public string ConnectionStringFor(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = _folder.Path,
        Port = Port,
        Username = "postgres",
        Database = database,
        Pooling = true,
    }.ToString();

    /// <summary>Whether the server holds a database of this name (asked of <c>pg_database</c>).</summary>
    public async Task<bool> DatabaseExistsAsync(string name)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
        command.Parameters.AddWithValue("name", name);
        return await command.ExecuteScalarAsync() is not null;
    }

    /// <summary>
    /// Whether a tenant schema of this name exists in a shared database of the schema tier (the first
    /// one unless named); false when that shared database does not exist yet.
    /// </summary>
    public async Task<bool> SchemaExistsAsync(string name, string shared = "orleans_social_shared_1")
    {
        if (!await DatabaseExistsAsync(shared))
        {
            return false;
        }

        await using var connection = new NpgsqlConnection(ConnectionStringFor(shared));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT 1 FROM pg_namespace WHERE nspname = @name", connection);
        command.Parameters.AddWithValue("name", name);
        return await command.ExecuteScalarAsync() is not null;
    }

    public async Task InitializeAsync()
    {
        _binaries = FindBinaries();
        var data = Path.Combine(_folder.Path, "data");
        if (_asRoot)
        {
            await RunAsync("chown", $"-R postgres {_folder.Path}");
        }

        await RunPostgresToolAsync("initdb", $"-D {data} -U postgres -A trust -E UTF8 --no-sync");
        // PG_SERVER_OPTIONS adds server settings for a diagnosis, e.g. " -c shared_preload_libraries=pg_stat_statements".
        await RunPostgresToolAsync("pg_ctl",
            $"-D {data} -l {Path.Combine(_folder.Path, "server.log")} -w -t 60 " +
            $"-o \"-p {Port} -k {_folder.Path} -c listen_addresses='' -c client_connection_check_interval=100 -c fsync=off -c max_connections={MaxConnections}{Environment.GetEnvironmentVariable("PG_SERVER_OPTIONS")}\" start");
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await RunPostgresToolAsync("pg_ctl", $"-D {Path.Combine(_folder.Path, "data")} -m immediate -w stop");
        }
        finally
        {
            _folder.Dispose();
        }
    }

    private static string FindBinaries()
    {
        var configured = Environment.GetEnvironmentVariable("PG_BIN");
        var candidates = configured is { Length: > 0 }
            ? [configured]
            : Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(version => Path.Combine(version, "bin")).ToArray()
                : [];
        return candidates.FirstOrDefault(folder => File.Exists(Path.Combine(folder, "initdb")))
            ?? throw new InvalidOperationException(
                "PostgreSQL server binaries (initdb, pg_ctl) were not found under /usr/lib/postgresql/*/bin or $PG_BIN. " +
                "Install them with 'apt-get install -y postgresql' (Debian/Ubuntu), or point PG_BIN at their folder.");
    }

    private Task RunPostgresToolAsync(string tool, string arguments) =>
        _asRoot
            ? RunAsync("runuser", $"-u postgres -- {Path.Combine(_binaries, tool)} {arguments}")
            : RunAsync(Path.Combine(_binaries, tool), arguments);

    private static async Task RunAsync(string fileName, string arguments)
    {
        var start = new ProcessStartInfo(fileName, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{fileName} {arguments}' exited with {process.ExitCode}: {await error}{await output}");
        }
    }
}
