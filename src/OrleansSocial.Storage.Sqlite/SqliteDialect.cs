using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Sql;

namespace OrleansSocial.Storage.Sqlite;

/// <summary>JSON text bodies read with <c>json_extract</c>; SQLite compares text bytewise and numbers numerically.</summary>
internal sealed class SqliteDialect : SqlDialect
{
    public static readonly SqliteDialect Instance = new();

    public override string Id => "id";

    public override string BodyParameter => "json(@body)";

    public override string Explain => "EXPLAIN QUERY PLAN ";

    public override string Field(string field, FieldKind kind) => $"json_extract(body, '$.{field}')";

    /// <summary>SQLite has no code of its own for it: a generic error whose message says so.</summary>
    public override bool IsMissingTable(System.Data.Common.DbException exception) =>
        exception is Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: SQLitePCL.raw.SQLITE_ERROR } sqlite && sqlite.Message.Contains("no such table", StringComparison.Ordinal);

    public override string CreateTable(string table) =>
        $"CREATE TABLE IF NOT EXISTS {table} (id TEXT NOT NULL PRIMARY KEY, body TEXT NOT NULL) WITHOUT ROWID";
}
