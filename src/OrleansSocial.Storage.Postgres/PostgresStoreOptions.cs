namespace OrleansSocial.Storage.Postgres;

public sealed class PostgresStoreOptions
{
    /// <summary>A server connection string; its Database is the catalog database (created when missing).</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>At most this many per-database connection pools are open at once; the least recently used is closed.</summary>
    public int MaxOpenDatabases { get; set; } = 64;

    /// <summary>Connections per database pool.</summary>
    public int MaxPoolSizePerDatabase { get; set; } = 8;
}

/// <summary>The schema tier of one PostgreSQL server: tenants as schemas of a few shared databases.</summary>
public sealed class PostgresSchemaStoreOptions
{
    /// <summary>A server connection string; its Database is not used (the shared databases are named below).</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>The shared databases are <c>{prefix}_1</c> … <c>{prefix}_{SharedDatabases}</c>, created when missing.</summary>
    public string SharedDatabasePrefix { get; set; } = "orleans_social_shared";

    /// <summary>How many shared databases a tenant schema may land in (by a stable hash of its name); fixed once tenants exist.</summary>
    public int SharedDatabases { get; set; } = 1;

    /// <summary>
    /// Connections of the one pool per shared database that serves all of its tenants. Few on purpose:
    /// each connection's server process caches the catalog of every schema it touches, so a thousand
    /// tenants served through 16 connections are looked up 16 times over (publishing-cluster on two
    /// cores: 165 publications/s with 16, 260-300/s with 2 or 4). About the server's cores ÷ silos, at least 2.
    /// </summary>
    public int MaxPoolSizePerSharedDatabase { get; set; } = 4;

    /// <summary>The schema of the store's own catalog (the product's catalog lives in the database tier).</summary>
    public string CatalogSchema { get; set; } = "orleans_social_catalog";

    /// <summary>Collections whose tables are created with the schema, in its transaction (the rest on first use).</summary>
    public IReadOnlyCollection<string> Collections { get; set; } = [];

    /// <summary>
    /// The indexes each collection's table is made with, in the table's transaction (with the schema for
    /// <see cref="Collections"/>, on first use for the rest): asking for one of them later needs no statement.
    /// </summary>
    public IReadOnlyList<(string Collection, OrleansSocial.Storage.Documents.IndexDefinition Index)> Indexes { get; set; } = [];
}
