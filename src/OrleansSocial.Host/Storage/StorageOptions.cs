using Microsoft.Extensions.Options;

namespace OrleansSocial.Host.Storage;

/// <summary>
/// Which engine holds the catalog and the tenant data, and on which servers (<c>Storage</c> section).
/// What each engine needs beyond that (connection strings, pools, tiers) is its provider's own options
/// (<c>Add&lt;Engine&gt;TenantStore</c>), bound from the same section.
/// </summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    public static readonly IReadOnlyList<string> Engines = ["sqlite", "postgres", "mongo"];

    /// <summary><c>sqlite</c> (default, files under Data:Path/tenants), <c>postgres</c> or <c>mongo</c>.</summary>
    public string Engine { get; set; } = "sqlite";

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

    private static ValidateOptionsResult ValidateEngine(StorageOptions options) => StorageOptions.Engines.Contains(options.Engine)
        ? ValidateOptionsResult.Success
        : ValidateOptionsResult.Fail($"Storage:Engine must be 'sqlite', 'postgres' or 'mongo', not '{options.Engine}'.");
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
