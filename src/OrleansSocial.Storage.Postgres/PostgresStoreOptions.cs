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
