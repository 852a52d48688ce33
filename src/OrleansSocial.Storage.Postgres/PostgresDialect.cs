using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Sql;

namespace OrleansSocial.Storage.Postgres;

/// <summary>jsonb bodies; strings compare with the "C" collation so order is ordinal like the other engines.</summary>
internal sealed class PostgresDialect : SqlDialect
{
    public static readonly PostgresDialect Instance = new();

    public override string Id => "id";

    public override string BodyParameter => "@body::jsonb";

    public override string Explain => "EXPLAIN ";

    public override string Field(string field, FieldKind kind) => kind == FieldKind.Number
        ? $"(body->>'{field}')::double precision"
        : $"(body->>'{field}') COLLATE \"C\"";

    /// <summary>undefined_table, which a schema-qualified name also gets when the schema is missing.</summary>
    public override bool IsMissingTable(System.Data.Common.DbException exception) => exception is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UndefinedTable };

    public override string CreateTable(string table) =>
        $"CREATE TABLE IF NOT EXISTS {table} (id text COLLATE \"C\" NOT NULL PRIMARY KEY, body jsonb NOT NULL)";
}
