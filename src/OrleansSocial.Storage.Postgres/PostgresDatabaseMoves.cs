using System.Text.RegularExpressions;
using Npgsql;
using OrleansSocial.Storage.Naming;
using OrleansSocial.Storage.Placement;

namespace OrleansSocial.Storage.Postgres;

/// <summary>
/// Moving a tenant database between two PostgreSQL servers. Writes are refused by a statement
/// trigger on every document table: unlike <c>default_transaction_read_only</c>, a trigger binds
/// sessions that are already open (every silo's pooled connections) at their next statement, and
/// unlike a lock held by the mover it outlives the mover's process, so a crash mid-copy cannot
/// let writes land in a copy that is about to be replaced.
/// </summary>
public sealed partial class PostgresDocumentStore : IDatabaseMoves
{
    private const string FrozenFunction = "orleans_social_frozen";
    private const string FrozenTrigger = "orleans_social_frozen";

    public async Task FreezeAsync(string database, IReadOnlyCollection<string> collections, CancellationToken cancellationToken)
    {
        await using var connection = await OpenNpgsqlAsync(database, cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var collection in collections)
        {
            await ExecuteAsync(connection, PostgresDialect.Instance.CreateTable("doc_" + StorageNames.Collection(collection)), cancellationToken);
        }

        await ExecuteAsync(connection, $"""
            CREATE OR REPLACE FUNCTION {FrozenFunction}() RETURNS trigger LANGUAGE plpgsql AS $f$
            BEGIN
              RAISE EXCEPTION 'database % is read-only while it moves to another server', current_database()
                USING ERRCODE = 'read_only_sql_transaction';
            END $f$
            """, cancellationToken);
        foreach (var table in await TablesAsync(connection, cancellationToken))
        {
            // Waits for writes in flight on the table (their lock conflicts with the trigger's), then binds every later one.
            await ExecuteAsync(connection, $"DROP TRIGGER IF EXISTS {FrozenTrigger} ON {table}", cancellationToken);
            await ExecuteAsync(connection,
                $"CREATE TRIGGER {FrozenTrigger} BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {FrozenFunction}()",
                cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task CheckTargetAsync(CancellationToken cancellationToken)
    {
        bool mayCreate;
        try
        {
            await using var command = _maintenance.CreateCommand("SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user");
            mayCreate = await command.ExecuteScalarAsync(cancellationToken) is true;
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
        {
            // Unreachable, refused the login (wrong password, unknown user), or out of connections.
            throw new MoveTargetUnusableException($"The target server does not answer or refused the login ({Describe(exception)}); nothing was changed.", exception);
        }

        if (!mayCreate)
        {
            throw new MoveTargetUnusableException("The target server's user may not create databases (CREATEDB); nothing was changed.");
        }
    }

    /// <summary>An error's kind without its text (which may echo a host or user name).</summary>
    private static string Describe(Exception exception) => exception is PostgresException postgres ? "SQLSTATE " + postgres.SqlState : exception.GetType().Name;

    public async Task ThawAsync(string database, CancellationToken cancellationToken)
    {
        if (!await DatabaseExistsAsync(database, cancellationToken))
        {
            return;
        }

        await using var connection = await OpenNpgsqlAsync(database, cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var table in await TablesAsync(connection, cancellationToken))
        {
            await ExecuteAsync(connection, $"DROP TRIGGER IF EXISTS {FrozenTrigger} ON {table}", cancellationToken);
        }

        await ExecuteAsync(connection, $"DROP FUNCTION IF EXISTS {FrozenFunction}()", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task CopyAsync(string database, IDatabaseMoves target, CancellationToken cancellationToken)
    {
        var other = target as PostgresDocumentStore
            ?? throw new ArgumentException("A PostgreSQL database can only be copied to another PostgreSQL server.", nameof(target));
        await using var source = await OpenNpgsqlAsync(database, cancellationToken);
        await using var destination = await other.OpenNpgsqlAsync(database, cancellationToken);
        foreach (var table in await TablesAsync(source, cancellationToken))
        {
            await ExecuteAsync(destination, PostgresDialect.Instance.CreateTable(table), cancellationToken);

            // Binary COPY: the rows byte for byte, without parsing a document on the way.
            await using (var reader = await source.BeginRawBinaryCopyAsync($"COPY {table} (id, body) TO STDOUT (FORMAT BINARY)", cancellationToken))
            await using (var writer = await destination.BeginRawBinaryCopyAsync($"COPY {table} (id, body) FROM STDIN (FORMAT BINARY)", cancellationToken))
            {
                await reader.CopyToAsync(writer, cancellationToken);
            }

            // Indexes after the rows: one build instead of an update per row.
            foreach (var index in await IndexDefinitionsAsync(source, table, cancellationToken))
            {
                await ExecuteAsync(destination, index, cancellationToken);
            }
        }
    }

    public async Task<IReadOnlyDictionary<string, CollectionDigest>> DigestAsync(string database, CancellationToken cancellationToken)
    {
        await using var connection = await OpenNpgsqlAsync(database, cancellationToken);
        var digests = new Dictionary<string, CollectionDigest>(StringComparer.Ordinal);
        foreach (var table in await TablesAsync(connection, cancellationToken))
        {
            // jsonb's text form is canonical, so equal documents hash equal on both servers.
            await using var command = new NpgsqlCommand(
                $"SELECT count(*), coalesce(md5(string_agg(id || ':' || md5(body::text), ',' ORDER BY id)), '') FROM {table}", connection);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            digests[table["doc_".Length..]] = new CollectionDigest(reader.GetInt64(0), reader.GetString(1));
        }

        return digests;
    }

    private async Task<NpgsqlConnection> OpenNpgsqlAsync(string database, CancellationToken cancellationToken) =>
        (NpgsqlConnection)await OpenAsync(StorageNames.Database(database), cancellationToken);

    private static async Task<IReadOnlyList<string>> TablesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var tables = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            // Only names this store makes reach SQL text.
            if (reader.GetString(0) is var table && DocumentTable().IsMatch(table))
            {
                tables.Add(table);
            }
        }

        return tables;
    }

    private static async Task<IReadOnlyList<string>> IndexDefinitionsAsync(NpgsqlConnection connection, string table, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = @table AND indexname <> @primary ORDER BY indexname", connection);
        command.Parameters.AddWithValue("table", table);
        command.Parameters.AddWithValue("primary", table + "_pkey");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var definitions = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            definitions.Add(reader.GetString(0));
        }

        return definitions;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [GeneratedRegex(@"\Adoc_[a-z][a-z0-9_]{0,47}\z", RegexOptions.CultureInvariant)]
    private static partial Regex DocumentTable();
}
