using System.Text.RegularExpressions;
using Npgsql;
using OrleansSocial.Storage.Naming;
using OrleansSocial.Storage.Placement;
using OrleansSocial.Storage.Sql;

namespace OrleansSocial.Storage.Postgres;

/// <summary>
/// Where a tier keeps a tenant's tables: which connection reaches them and which schema names them
/// (<c>public</c> of the tenant's own database, or the tenant's schema in a shared one).
/// </summary>
internal interface IPostgresTier
{
    Task<NpgsqlConnection> OpenTenantAsync(string database, CancellationToken cancellationToken);

    string SchemaOf(string database);
}

/// <summary>
/// Moving a tenant between PostgreSQL servers and tiers (a database of its own, a schema in a shared
/// one): both tiers are tables <c>doc_*(id, body)</c>, so freezing, copying and verifying are the same
/// statements on schema-qualified names. Writes are refused by a statement trigger on every document
/// table: unlike <c>default_transaction_read_only</c>, a trigger binds sessions that are already open
/// (every silo's pooled connections) at their next statement, and unlike a lock held by the mover it
/// outlives the mover's process, so a crash mid-copy cannot let writes land in a copy that is about to
/// be replaced. The trigger function lives in the tenant's own schema: freezing one tenant of a shared
/// database freezes no other.
/// </summary>
internal static partial class PostgresMoves
{
    private const string FrozenFunction = "orleans_social_frozen";
    private const string FrozenTrigger = "orleans_social_frozen";

    public static async Task FreezeAsync(IPostgresTier tier, string database, IReadOnlyCollection<string> collections, CancellationToken cancellationToken)
    {
        var schema = tier.SchemaOf(database);
        await using var connection = await tier.OpenTenantAsync(database, cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var collection in collections)
        {
            await ExecuteAsync(connection, PostgresDialect.Instance.CreateTable(SqlDialect.Relation(schema, "doc_" + StorageNames.Collection(collection))), cancellationToken);
        }

        await ExecuteAsync(connection, $"""
            CREATE OR REPLACE FUNCTION "{schema}".{FrozenFunction}() RETURNS trigger LANGUAGE plpgsql AS $f$
            BEGIN
              RAISE EXCEPTION 'tenant data % is read-only while it moves', TG_TABLE_SCHEMA
                USING ERRCODE = 'read_only_sql_transaction';
            END $f$
            """, cancellationToken);
        foreach (var table in await TablesAsync(connection, schema, cancellationToken))
        {
            // Waits for writes in flight on the table (their lock conflicts with the trigger's), then binds every later one.
            var relation = SqlDialect.Relation(schema, table);
            await ExecuteAsync(connection, $"DROP TRIGGER IF EXISTS {FrozenTrigger} ON {relation}", cancellationToken);
            await ExecuteAsync(connection,
                $"CREATE TRIGGER {FrozenTrigger} BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON {relation} FOR EACH STATEMENT EXECUTE FUNCTION \"{schema}\".{FrozenFunction}()",
                cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public static async Task ThawAsync(IPostgresTier tier, string database, CancellationToken cancellationToken)
    {
        var schema = tier.SchemaOf(database);
        await using var connection = await tier.OpenTenantAsync(database, cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var table in await TablesAsync(connection, schema, cancellationToken))
        {
            await ExecuteAsync(connection, $"DROP TRIGGER IF EXISTS {FrozenTrigger} ON {SqlDialect.Relation(schema, table)}", cancellationToken);
        }

        await ExecuteAsync(connection, $"DROP FUNCTION IF EXISTS \"{schema}\".{FrozenFunction}()", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Every document table, its rows (binary COPY, byte for byte) and its indexes, into the (existing, empty) tenant on <paramref name="target"/>.</summary>
    public static async Task CopyAsync(IPostgresTier source, string database, IDatabaseMoves target, CancellationToken cancellationToken)
    {
        var other = target as IPostgresTier
            ?? throw new ArgumentException("PostgreSQL tenant data can only be copied to a PostgreSQL server.", nameof(target));
        var (fromSchema, toSchema) = (source.SchemaOf(database), other.SchemaOf(database));
        await using var from = await source.OpenTenantAsync(database, cancellationToken);
        await using var to = await other.OpenTenantAsync(database, cancellationToken);
        foreach (var table in await TablesAsync(from, fromSchema, cancellationToken))
        {
            var (fromRelation, toRelation) = (SqlDialect.Relation(fromSchema, table), SqlDialect.Relation(toSchema, table));
            await ExecuteAsync(to, PostgresDialect.Instance.CreateTable(toRelation), cancellationToken);
            await using (var reader = await from.BeginRawBinaryCopyAsync($"COPY {fromRelation} (id, body) TO STDOUT (FORMAT BINARY)", cancellationToken))
            await using (var writer = await to.BeginRawBinaryCopyAsync($"COPY {toRelation} (id, body) FROM STDIN (FORMAT BINARY)", cancellationToken))
            {
                await reader.CopyToAsync(writer, cancellationToken);
            }

            // Indexes after the rows: one build instead of an update per row. Their definitions name the
            // source's table; the target's is put in its place.
            foreach (var index in await IndexDefinitionsAsync(from, fromSchema, table, cancellationToken))
            {
                await ExecuteAsync(to, Retarget(index, fromSchema, table, toRelation), cancellationToken);
            }
        }
    }

    public static async Task<IReadOnlyDictionary<string, CollectionDigest>> DigestAsync(IPostgresTier tier, string database, CancellationToken cancellationToken)
    {
        var schema = tier.SchemaOf(database);
        await using var connection = await tier.OpenTenantAsync(database, cancellationToken);
        var digests = new Dictionary<string, CollectionDigest>(StringComparer.Ordinal);
        foreach (var table in await TablesAsync(connection, schema, cancellationToken))
        {
            // jsonb's text form is canonical, so equal documents hash equal on both sides.
            await using var command = new NpgsqlCommand(
                $"SELECT count(*), coalesce(md5(string_agg(id || ':' || md5(body::text), ',' ORDER BY id)), '') FROM {SqlDialect.Relation(schema, table)}", connection);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            digests[table["doc_".Length..]] = new CollectionDigest(reader.GetInt64(0), reader.GetString(1));
        }

        return digests;
    }

    /// <summary>The server answers and its user may create databases (which the schema tier needs for its shared ones too).</summary>
    public static async Task CheckTargetAsync(NpgsqlDataSource maintenance, CancellationToken cancellationToken)
    {
        bool mayCreate;
        try
        {
            await using var command = maintenance.CreateCommand("SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user");
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

    /// <summary>
    /// An index definition of the source made for the target: its table re-pointed, and made only if
    /// missing (a target tier may make some indexes with the tenant, before the copy).
    /// </summary>
    private static string Retarget(string definition, string schema, string table, string relation)
    {
        // pg_indexes prints "CREATE [UNIQUE] INDEX name ON [ONLY] schema.table USING ..." with identifiers quoted only where needed (ours never need it).
        var printed = $" ON {schema}.{table} ";
        var at = definition.IndexOf(printed, StringComparison.Ordinal);
        var index = definition.IndexOf(" INDEX ", StringComparison.Ordinal);
        return at < 0 || index < 0 || index > at
            ? throw new InvalidOperationException($"An index definition of {table} does not read as expected.")
            : definition[..index] + " INDEX IF NOT EXISTS " + definition[(index + " INDEX ".Length)..at] + $" ON {relation} " + definition[(at + printed.Length)..];
    }

    private static async Task<IReadOnlyList<string>> TablesAsync(NpgsqlConnection connection, string schema, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = @schema ORDER BY tablename COLLATE \"C\"", connection);
        command.Parameters.AddWithValue("schema", schema);
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

    private static async Task<IReadOnlyList<string>> IndexDefinitionsAsync(NpgsqlConnection connection, string schema, string table, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = @schema AND tablename = @table AND indexname <> @primary ORDER BY indexname", connection);
        command.Parameters.AddWithValue("schema", schema);
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

/// <summary>
/// A PostgreSQL tier's side of a move: the same statements for both tiers, on the tenant's tables
/// wherever the tier keeps them (<see cref="OpenTenantAsync"/>, <see cref="SchemaOf"/>).
/// </summary>
public abstract class PostgresTierMoves : IDatabaseMoves, IPostgresTier
{
    public Task FreezeAsync(string database, IReadOnlyCollection<string> collections, CancellationToken cancellationToken) =>
        PostgresMoves.FreezeAsync(this, database, collections, cancellationToken);

    public Task CheckTargetAsync(CancellationToken cancellationToken) => PostgresMoves.CheckTargetAsync(Maintenance, cancellationToken);

    public async Task ThawAsync(string database, CancellationToken cancellationToken)
    {
        if (await TenantExistsAsync(database, cancellationToken))
        {
            await PostgresMoves.ThawAsync(this, database, cancellationToken);
        }
    }

    public Task CopyAsync(string database, IDatabaseMoves target, CancellationToken cancellationToken) => PostgresMoves.CopyAsync(this, database, target, cancellationToken);

    public Task<IReadOnlyDictionary<string, CollectionDigest>> DigestAsync(string database, CancellationToken cancellationToken) =>
        PostgresMoves.DigestAsync(this, database, cancellationToken);

    /// <summary>The server's maintenance pool (database <c>postgres</c>).</summary>
    private protected abstract NpgsqlDataSource Maintenance { get; }

    private protected abstract Task<bool> TenantExistsAsync(string database, CancellationToken cancellationToken);

    private protected abstract Task<NpgsqlConnection> OpenTenantAsync(string database, CancellationToken cancellationToken);

    private protected abstract string SchemaOf(string database);

    Task<NpgsqlConnection> IPostgresTier.OpenTenantAsync(string database, CancellationToken cancellationToken) => OpenTenantAsync(database, cancellationToken);

    string IPostgresTier.SchemaOf(string database) => SchemaOf(database);
}

/// <summary>A database of its own: the tenant's tables are in its <c>public</c> schema.</summary>
public sealed partial class PostgresDocumentStore
{
    private protected override NpgsqlDataSource Maintenance => _maintenance;

    private protected override Task<bool> TenantExistsAsync(string database, CancellationToken cancellationToken) => DatabaseExistsAsync(database, cancellationToken);

    private protected override async Task<NpgsqlConnection> OpenTenantAsync(string database, CancellationToken cancellationToken) =>
        (NpgsqlConnection)await OpenAsync(StorageNames.Database(database), cancellationToken);

    private protected override string SchemaOf(string database) => "public";
}

/// <summary>A schema in a shared database: the tenant's tables are in its own schema.</summary>
public sealed partial class PostgresSchemaStore
{
    private protected override NpgsqlDataSource Maintenance => _maintenance;

    private protected override Task<bool> TenantExistsAsync(string database, CancellationToken cancellationToken) => DatabaseExistsAsync(database, cancellationToken);

    private protected override Task<NpgsqlConnection> OpenTenantAsync(string database, CancellationToken cancellationToken) => OpenSharedOfAsync(database, cancellationToken);

    private protected override string SchemaOf(string database) => StorageNames.Database(database);
}
