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

    /// <summary>SQLite: the memory all tenant files' page caches may grow to together (soft heap limit; 0: none).</summary>
    public int SqliteMemoryLimitMiB { get; set; } = 128;

    /// <summary>PostgreSQL: at most this many per-tenant connection pools open at once.</summary>
    public int MaxOpenDatabases { get; set; } = 64;

    /// <summary>
    /// PostgreSQL: connections per tenant database pool. A silo may hold up to MaxOpenDatabases times
    /// this many; keep it, times the silos, under the server's max_connections.
    /// </summary>
    public int MaxPoolSizePerDatabase { get; set; } = 8;

    /// <summary>PostgreSQL schema tier: shared databases per server that tenant schemas are spread over (fixed once tenants exist).</summary>
    public int SharedDatabases { get; set; } = 1;

    /// <summary>
    /// PostgreSQL schema tier: connections of the one pool per shared database that serves all of its
    /// tenants. A silo holds at most SharedDatabases times this many per server.
    /// </summary>
    public int MaxPoolSizePerSharedDatabase { get; set; } = 16;

    /// <summary>The name the main server (the one holding the catalog) is known by in placements and moves.</summary>
    public string ServerName { get; set; } = "main";

    /// <summary>The main server's share of new tenants, relative to <see cref="Servers"/>' weights; 0 takes none.</summary>
    public int Weight { get; set; } = 1;

    /// <summary>
    /// More servers of the same engine for tenant databases, by name (a dictionary, so an override
    /// replaces an entry rather than appending to a list): <c>Storage:Servers:eu-2:ConnectionString</c>,
    /// <c>Storage:Servers:eu-2:Weight</c>.
    /// </summary>
    public Dictionary<string, StorageServerOptions> Servers { get; set; } = new(StringComparer.Ordinal);
}

public sealed class StorageServerOptions
{
    /// <summary>A PostgreSQL connection string (its Database is not used) or a MongoDB one.</summary>
    public string? ConnectionString { get; set; }

    public int Weight { get; set; } = 1;
}

internal sealed partial class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options) => ValidateServers(options) is { } failure
        ? ValidateOptionsResult.Fail(failure)
        : ValidateEngine(options);

    private static string? ValidateServers(StorageOptions options)
    {
        if (!ServerNamePattern().IsMatch(options.ServerName))
        {
            return $"Storage:ServerName '{options.ServerName}' must be 1-40 characters of a-z, 0-9 and '-'.";
        }

        if (options.Servers.Count > 0 && options.Engine == "sqlite")
        {
            return "Storage:Servers needs Storage:Engine 'postgres' or 'mongo': SQLite keeps every tenant in one folder.";
        }

        foreach (var (server, settings) in options.Servers)
        {
            if (!ServerNamePattern().IsMatch(server) || server == options.ServerName)
            {
                return $"Storage:Servers:{server}: a server name is 1-40 characters of a-z, 0-9 and '-', and differs from Storage:ServerName.";
            }

            if (string.IsNullOrWhiteSpace(settings?.ConnectionString))
            {
                return $"Storage:Servers:{server}:ConnectionString is required.";
            }

            if (settings.Weight < 0)
            {
                return $"Storage:Servers:{server}:Weight must be 0 or more.";
            }
        }

        if (options.Weight < 0)
        {
            return "Storage:Weight must be 0 or more.";
        }

        return options.Weight == 0 && options.Servers.Values.All(s => s.Weight == 0)
            ? "At least one storage server needs a weight above 0, or no tenant can be created."
            : null;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\A[a-z0-9][a-z0-9-]{0,39}\z", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex ServerNamePattern();

    private static ValidateOptionsResult ValidateEngine(StorageOptions options) => options.Engine switch
    {
        "sqlite" => ValidateOptionsResult.Success,
        "postgres" when string.IsNullOrWhiteSpace(options.Postgres) => ValidateOptionsResult.Fail("Storage:Postgres must hold a connection string when Storage:Engine is 'postgres'."),
        "mongo" when string.IsNullOrWhiteSpace(options.Mongo) => ValidateOptionsResult.Fail("Storage:Mongo must hold a connection string when Storage:Engine is 'mongo'."),
        "postgres" or "mongo" when options.MaxOpenDatabases < 1 => ValidateOptionsResult.Fail("Storage:MaxOpenDatabases must be at least 1."),
        "postgres" when options.MaxPoolSizePerDatabase < 1 => ValidateOptionsResult.Fail("Storage:MaxPoolSizePerDatabase must be at least 1."),
        "postgres" when options.SharedDatabases is < 1 or > 100 => ValidateOptionsResult.Fail("Storage:SharedDatabases must be 1-100."),
        "postgres" when options.MaxPoolSizePerSharedDatabase < 1 => ValidateOptionsResult.Fail("Storage:MaxPoolSizePerSharedDatabase must be at least 1."),
        "postgres" or "mongo" => ValidateOptionsResult.Success,
        _ => ValidateOptionsResult.Fail($"Storage:Engine must be 'sqlite', 'postgres' or 'mongo', not '{options.Engine}'."),
    };
}

/// <summary>Each plan's default isolation must be a tier name, for a known plan.</summary>
internal sealed class IsolationOptionsValidator : IValidateOptions<OrleansSocial.Tenancy.IsolationOptions>
{
    public ValidateOptionsResult Validate(string? name, OrleansSocial.Tenancy.IsolationOptions options)
    {
        foreach (var (plan, isolation) in options.Plans)
        {
            if (!OrleansSocial.Tenancy.Plans.IsKnown(plan))
            {
                return ValidateOptionsResult.Fail($"Isolation:Plans:{plan}: no such plan (plans: {string.Join(", ", OrleansSocial.Tenancy.Plans.All)}).");
            }

            if (isolation is not (OrleansSocial.Tenancy.IsolationOptions.Database or OrleansSocial.Tenancy.IsolationOptions.Schema))
            {
                return ValidateOptionsResult.Fail($"Isolation:Plans:{plan} must be 'database' or 'schema', not '{isolation}'.");
            }
        }

        return ValidateOptionsResult.Success;
    }
}
