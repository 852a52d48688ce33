using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Naming;

namespace OrleansSocial.Storage.Sql;

/// <summary>
/// A collection as a table <c>doc_{name}(id, body)</c> (in the database's own schema, or named with
/// its schema when the database is a schema in a shared one); queries read fields out of the JSON
/// body with the same expressions the indexes are built on, so the indexes serve them.
/// </summary>
public sealed class SqlDocumentCollection : IDocumentCollection, IExplainsQueries
{
    private readonly SqlDialect _dialect;
    private readonly Func<CancellationToken, Task<DbConnection>> _open;
    private readonly Func<CancellationToken, Task> _ensureTable;
    private readonly Func<CancellationToken, Task> _noTable;
    private readonly Func<string, IndexDefinition, bool> _comesWithTable;
    private readonly string _table;
    private readonly string? _schema;

    // What statements name: the table, qualified by its schema when it has one.
    private readonly string _relation;

    /// <param name="ensureTable">Makes the collection's table (given the collection's name) once.</param>
    /// <param name="schema">The schema the table lives in, named in every statement; null: the connection's default.</param>
    /// <param name="comesWithTable">True for an index the table has or will be made with: asking for it needs no statement.</param>
    /// <param name="noTable">Told (with the collection's name) when a read found no table; throws when the database itself is gone.</param>
    public SqlDocumentCollection(string name, SqlDialect dialect, Func<CancellationToken, Task<DbConnection>> open, Func<string, CancellationToken, Task> ensureTable,
        string? schema = null, Func<string, IndexDefinition, bool>? comesWithTable = null, Func<string, CancellationToken, Task>? noTable = null)
    {
        Name = StorageNames.Collection(name);
        _table = "doc_" + Name;
        _schema = schema;
        _relation = SqlDialect.Relation(schema, _table);
        _dialect = dialect;
        _open = open;
        _ensureTable = ct => ensureTable(Name, ct);
        _noTable = noTable is null ? _ => Task.CompletedTask : ct => noTable(Name, ct);
        _comesWithTable = comesWithTable ?? ((_, _) => false);
    }

    public string Name { get; }

    public Task EnsureExistsAsync(CancellationToken cancellationToken) => _ensureTable(cancellationToken);

    public async Task EnsureIndexAsync(IndexDefinition index, CancellationToken cancellationToken)
    {
        if (_comesWithTable(Name, index))
        {
            return;
        }

        await _ensureTable(cancellationToken);
        try
        {
            await ExecuteAsync(_dialect.CreateIndex(_table, index, _schema), _ => { }, cancellationToken);
        }
        catch (DbException)
        {
            // Two silos starting together race on CREATE INDEX IF NOT EXISTS: PostgreSQL can fail the
            // loser on its catalog's unique index (pg_class_relname_nsp_index). The index exists now; one more try confirms it.
            await ExecuteAsync(_dialect.CreateIndex(_table, index, _schema), _ => { }, cancellationToken);
        }
    }

    public Task<JsonElement?> GetAsync(string id, CancellationToken cancellationToken) => WithoutTableAsync<JsonElement?>(async () =>
    {
        await using var connection = await _open(cancellationToken);
        await using var command = Command(connection, $"SELECT body FROM {_relation} WHERE id = @id", c => Add(c, "@id", id));
        return await command.ExecuteScalarAsync(cancellationToken) is string body ? Parse(body) : null;
    }, null, cancellationToken);

    public async Task<bool> InsertAsync(string id, JsonElement document, CancellationToken cancellationToken)
    {
        await _ensureTable(cancellationToken);
        var sql = $"INSERT INTO {_relation} (id, body) VALUES (@id, {_dialect.BodyParameter}) ON CONFLICT (id) DO NOTHING";
        return await ExecuteAsync(sql, c => AddDocument(c, id, document), cancellationToken) == 1;
    }

    public async Task UpsertAsync(string id, JsonElement document, CancellationToken cancellationToken)
    {
        await _ensureTable(cancellationToken);
        var sql = $"INSERT INTO {_relation} (id, body) VALUES (@id, {_dialect.BodyParameter}) ON CONFLICT (id) DO UPDATE SET body = excluded.body";
        await ExecuteAsync(sql, c => AddDocument(c, id, document), cancellationToken);
    }

    public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken) => WithoutTableAsync(
        async () => await ExecuteAsync($"DELETE FROM {_relation} WHERE id = @id", c => Add(c, "@id", id), cancellationToken) == 1, false, cancellationToken);

    public async Task<DocumentPage> QueryAsync(DocumentQuery query, CancellationToken cancellationToken)
    {
        if (query.Limit is < 1 or > DocumentQuery.MaxLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(query), $"Limit must be between 1 and {DocumentQuery.MaxLimit}.");
        }

        return await WithoutTableAsync(() => PageAsync(query, cancellationToken), new DocumentPage([], null), cancellationToken);
    }

    private async Task<DocumentPage> PageAsync(DocumentQuery query, CancellationToken cancellationToken)
    {
        var (sql, parameters) = Select(query);
        var sort = query.Sort;
        await using var connection = await _open(cancellationToken);
        await using var command = Command(connection, sql, c => parameters.ForEach(p => Add(c, p.Name, p.Value)));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var items = new List<StoredDocument>();
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(new StoredDocument(reader.GetString(0), Parse(reader.GetString(1))));
        }

        string? next = null;
        if (items.Count > query.Limit)
        {
            items.RemoveAt(items.Count - 1);
            var last = items[^1];
            next = Cursor.Encode(Cursor.SortValueOf(last.Body, sort), last.Id);
        }

        return new DocumentPage(items, next);
    }

    /// <summary>
    /// The engine's plan for a query, as its EXPLAIN prints it (one line per step): how a test proves
    /// that a read is served by an index rather than a scan of the whole collection.
    /// </summary>
    public async Task<string> ExplainAsync(DocumentQuery query, CancellationToken cancellationToken)
    {
        await _ensureTable(cancellationToken);
        var (sql, parameters) = Select(query);
        await using var connection = await _open(cancellationToken);
        await using var command = Command(connection, _dialect.Explain + sql, c => parameters.ForEach(p => Add(c, p.Name, p.Value)));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var lines = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            lines.Add(Convert.ToString(reader.GetValue(reader.FieldCount - 1), CultureInfo.InvariantCulture) ?? "");
        }

        return string.Join('\n', lines);
    }

    /// <summary>The SELECT of a page: filters, keyset continuation after the cursor, order, one row more than the page.</summary>
    private (string Sql, List<(string Name, object Value)> Parameters) Select(DocumentQuery query)
    {
        var parameters = new List<(string Name, object Value)>();
        var where = Where(query.Filters, parameters);
        var sort = query.Sort;
        var sortExpression = sort is null ? null : _dialect.Field(StorageNames.Field(sort.Field), sort.Kind);
        var descending = sort?.Descending == true;

        if (query.Cursor is not null)
        {
            var (sortValue, lastId) = Cursor.Decode(query.Cursor, sort);
            var comparison = descending ? "<" : ">";
            parameters.Add(("@cid", lastId));
            if (sortExpression is null)
            {
                where.Add($"{_dialect.Id} {comparison} @cid");
            }
            else
            {
                parameters.Add(("@cv", sortValue!.Value.Boxed));
                where.Add($"(({sortExpression}) {comparison} @cv OR (({sortExpression}) = @cv AND {_dialect.Id} {comparison} @cid))");
            }
        }

        var direction = descending ? " DESC" : "";
        var sql = new StringBuilder($"SELECT id, body FROM {_relation}");
        if (where.Count > 0)
        {
            sql.Append(" WHERE ").AppendJoin(" AND ", where);
        }

        sql.Append(" ORDER BY ");
        if (sortExpression is not null)
        {
            sql.Append(CultureInfo.InvariantCulture, $"({sortExpression}){direction}, ");
        }

        sql.Append(CultureInfo.InvariantCulture, $"{_dialect.Id}{direction} LIMIT {query.Limit + 1}");
        return (sql.ToString(), parameters);
    }

    public Task<long> CountAsync(IReadOnlyList<FieldFilter> filters, CancellationToken cancellationToken) =>
        WithoutTableAsync(() => CountRowsAsync(filters, cancellationToken), 0L, cancellationToken);

    private async Task<long> CountRowsAsync(IReadOnlyList<FieldFilter> filters, CancellationToken cancellationToken)
    {
        var parameters = new List<(string Name, object Value)>();
        var where = Where(filters, parameters);
        var sql = $"SELECT count(*) FROM {_relation}" + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "");
        await using var connection = await _open(cancellationToken);
        await using var command = Command(connection, sql, c => parameters.ForEach(p => Add(c, p.Name, p.Value)));
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    public async Task<long> DeleteManyAsync(IReadOnlyList<FieldFilter> filters, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfZero(filters.Count, nameof(filters));
        var parameters = new List<(string Name, object Value)>();
        var sql = $"DELETE FROM {_relation} WHERE " + string.Join(" AND ", Where(filters, parameters));
        return await WithoutTableAsync(async () =>
        {
            await using var connection = await _open(cancellationToken);
            await using var command = Command(connection, sql, c => parameters.ForEach(p => Add(c, p.Name, p.Value)));
            return (long)await command.ExecuteNonQueryAsync(cancellationToken);
        }, 0L, cancellationToken);
    }

    /// <summary>
    /// Reads (and deletes) need no table: a collection never written reads as empty, and reading it makes
    /// nothing — a tenant looked at once does not grow the tables of every collection it was asked about.
    /// </summary>
    private async Task<T> WithoutTableAsync<T>(Func<Task<T>> statement, T none, CancellationToken cancellationToken)
    {
        try
        {
            return await statement();
        }
        catch (DbException exception) when (_dialect.IsMissingTable(exception))
        {
            await _noTable(cancellationToken);
            return none;
        }
    }

    private List<string> Where(IReadOnlyList<FieldFilter> filters, List<(string Name, object Value)> parameters)
    {
        var clauses = new List<string>();
        foreach (var filter in filters)
        {
            var parameter = $"@p{parameters.Count}";
            parameters.Add((parameter, filter.Value.Boxed));
            var op = filter.Operator switch
            {
                FilterOperator.Equal => "=",
                FilterOperator.GreaterThanOrEqual => ">=",
                FilterOperator.LessThan => "<",
                _ => throw new ArgumentOutOfRangeException(nameof(filters)),
            };
            clauses.Add($"({_dialect.Field(StorageNames.Field(filter.Field), filter.Value.Kind)}) {op} {parameter}");
        }

        return clauses;
    }

    private async Task<int> ExecuteAsync(string sql, Action<DbCommand> bind, CancellationToken cancellationToken)
    {
        await using var connection = await _open(cancellationToken);
        await using var command = Command(connection, sql, bind);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static DbCommand Command(DbConnection connection, string sql, Action<DbCommand> bind)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        bind(command);
        return command;
    }

    private static void AddDocument(DbCommand command, string id, JsonElement document)
    {
        if (document.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("A document must be a JSON object.", nameof(document));
        }

        Add(command, "@id", id);
        Add(command, "@body", document.GetRawText());
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    private static JsonElement Parse(string body)
    {
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }
}
