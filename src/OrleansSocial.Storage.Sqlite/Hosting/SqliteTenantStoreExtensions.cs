using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansSocial.Storage.Hosting;
using OrleansSocial.Storage.Placement;

namespace OrleansSocial.Storage.Sqlite.Hosting;

/// <summary>The SQLite tenant store's settings.</summary>
public sealed class SqliteTenantStoreOptions
{
    /// <summary>The folder of the catalog file and the tenant files.</summary>
    public string? Folder { get; set; }

    /// <summary>The memory all tenant files' page caches may grow to together (soft heap limit; 0: none).</summary>
    public int SqliteMemoryLimitMiB { get; set; } = 128;
}

/// <summary>
/// Registers SQLite as the tenant store engine: a file per tenant. No schema tier: a file costs no
/// connection while unused, so there is no ceiling for one to lift.
/// </summary>
public static class SqliteTenantStoreExtensions
{
    public static IServiceCollection AddSqliteTenantStore(this IServiceCollection services, Action<OptionsBuilder<SqliteTenantStoreOptions>> configure)
    {
        configure(services.AddOptions<SqliteTenantStoreOptions>().ValidateOnStart());
        services.AddSingleton<IValidateOptions<SqliteTenantStoreOptions>, SqliteTenantStoreOptionsValidator>();
        services.AddSingleton<ITenantStoreEngine>(provider => new SqliteTenantStoreEngine(provider.GetRequiredService<IOptions<SqliteTenantStoreOptions>>().Value));
        return services;
    }
}

internal sealed class SqliteTenantStoreEngine(SqliteTenantStoreOptions options) : ITenantStoreEngine
{
    public string Name => "sqlite";

    public string MainLocation => options.Folder!;

    public DatabaseServer Server(string name, int weight, string location) => new(name, weight, new SqliteDocumentStore(location, options.SqliteMemoryLimitMiB));
}

internal sealed class SqliteTenantStoreOptionsValidator : IValidateOptions<SqliteTenantStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, SqliteTenantStoreOptions options) => options switch
    {
        _ when string.IsNullOrWhiteSpace(options.Folder) => ValidateOptionsResult.Fail("SQLite tenant store: a folder for the tenant files is required (Data:Path)."),
        { SqliteMemoryLimitMiB: < 0 } => ValidateOptionsResult.Fail("SQLite tenant store: Storage:SqliteMemoryLimitMiB must be 0 (no limit) or more."),
        _ => ValidateOptionsResult.Success,
    };
}
