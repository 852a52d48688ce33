using Microsoft.Extensions.Options;

namespace OrleansSocial.Host.Storage;

/// <summary>Which engine holds the catalog and the tenant databases (<c>Storage</c> section).</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary><c>sqlite</c> (default, files under Data:Path/tenants), <c>postgres</c> or <c>mongo</c>.</summary>
    public string Engine { get; set; } = "sqlite";

    /// <summary>PostgreSQL connection string; its Database is the catalog.</summary>
    public string? Postgres { get; set; }

    /// <summary>MongoDB connection string.</summary>
    public string? Mongo { get; set; }

    /// <summary>PostgreSQL: at most this many per-tenant connection pools open at once.</summary>
    public int MaxOpenDatabases { get; set; } = 64;

    /// <summary>
    /// PostgreSQL: connections per tenant database pool. A silo may hold up to MaxOpenDatabases times
    /// this many; keep it, times the silos, under the server's max_connections.
    /// </summary>
    public int MaxPoolSizePerDatabase { get; set; } = 8;
}

internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options) => options.Engine switch
    {
        "sqlite" => ValidateOptionsResult.Success,
        "postgres" when string.IsNullOrWhiteSpace(options.Postgres) => ValidateOptionsResult.Fail("Storage:Postgres must hold a connection string when Storage:Engine is 'postgres'."),
        "mongo" when string.IsNullOrWhiteSpace(options.Mongo) => ValidateOptionsResult.Fail("Storage:Mongo must hold a connection string when Storage:Engine is 'mongo'."),
        "postgres" or "mongo" when options.MaxOpenDatabases < 1 => ValidateOptionsResult.Fail("Storage:MaxOpenDatabases must be at least 1."),
        "postgres" when options.MaxPoolSizePerDatabase < 1 => ValidateOptionsResult.Fail("Storage:MaxPoolSizePerDatabase must be at least 1."),
        "postgres" or "mongo" => ValidateOptionsResult.Success,
        _ => ValidateOptionsResult.Fail($"Storage:Engine must be 'sqlite', 'postgres' or 'mongo', not '{options.Engine}'."),
    };
}
