using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Hosting;
using OrleansSocial.Storage.Placement;

namespace OrleansSocial.Storage.Postgres.Hosting;

/// <summary>The PostgreSQL tenant store's settings (bound from the <c>Storage</c> section by the host).</summary>
public sealed class PostgresTenantStoreOptions
{
    /// <summary>The main server's connection string; its Database is the catalog (<c>Storage:Postgres</c>).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>At most this many per-tenant-database pools open at once per server.</summary>
    public int MaxOpenDatabases { get; set; } = 64;

    /// <summary>Connections per tenant database pool.</summary>
    public int MaxPoolSizePerDatabase { get; set; } = 8;

    /// <summary>Schema tier: shared databases per server (fixed once tenants exist).</summary>
    public int SharedDatabases { get; set; } = 1;

    /// <summary>Schema tier: connections of the one pool per shared database (few: see <see cref="PostgresSchemaStoreOptions.MaxPoolSizePerSharedDatabase"/>).</summary>
    public int MaxPoolSizePerSharedDatabase { get; set; } = 4;

    /// <summary>Schema tier: collections whose tables are made with a tenant's schema.</summary>
    public IReadOnlyCollection<string> SchemaCollections { get; set; } = [];

    /// <summary>Schema tier: the indexes a tenant's tables are made with (with the schema for <see cref="SchemaCollections"/>, on first use for the rest).</summary>
    public IReadOnlyList<(string Collection, IndexDefinition Index)> SchemaIndexes { get; set; } = [];
}

/// <summary>Registers PostgreSQL as the tenant store engine: a database per tenant, or a schema per tenant in shared databases.</summary>
public static class PostgresTenantStoreExtensions
{
    public static IServiceCollection AddPostgresTenantStore(this IServiceCollection services, Action<OptionsBuilder<PostgresTenantStoreOptions>> configure)
    {
        configure(services.AddOptions<PostgresTenantStoreOptions>().ValidateOnStart());
        services.AddSingleton<IValidateOptions<PostgresTenantStoreOptions>, PostgresTenantStoreOptionsValidator>();
        services.AddSingleton<ITenantStoreEngine>(provider => new PostgresTenantStoreEngine(provider.GetRequiredService<IOptions<PostgresTenantStoreOptions>>().Value));
        return services;
    }
}

internal sealed class PostgresTenantStoreEngine(PostgresTenantStoreOptions options) : ITenantStoreEngine
{
    public string Name => "postgres";

    public string MainLocation => options.ConnectionString!;

    public DatabaseServer Server(string name, int weight, string location) => new(name, weight,
        new PostgresDocumentStore(new PostgresStoreOptions
        {
            ConnectionString = location,
            MaxOpenDatabases = options.MaxOpenDatabases,
            MaxPoolSizePerDatabase = options.MaxPoolSizePerDatabase,
        }),
        new PostgresSchemaStore(new PostgresSchemaStoreOptions
        {
            ConnectionString = location,
            SharedDatabases = options.SharedDatabases,
            MaxPoolSizePerSharedDatabase = options.MaxPoolSizePerSharedDatabase,
            Collections = options.SchemaCollections,
            Indexes = options.SchemaIndexes,
        }));
}

internal sealed class PostgresTenantStoreOptionsValidator : IValidateOptions<PostgresTenantStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, PostgresTenantStoreOptions options) => options switch
    {
        _ when string.IsNullOrWhiteSpace(options.ConnectionString)
            => ValidateOptionsResult.Fail("PostgreSQL tenant store: Storage:Postgres must hold a connection string when Storage:Engine is 'postgres'."),
        { MaxOpenDatabases: < 1 } => ValidateOptionsResult.Fail("PostgreSQL tenant store: Storage:MaxOpenDatabases must be at least 1."),
        { MaxPoolSizePerDatabase: < 1 } => ValidateOptionsResult.Fail("PostgreSQL tenant store: Storage:MaxPoolSizePerDatabase must be at least 1."),
        { SharedDatabases: < 1 or > 100 } => ValidateOptionsResult.Fail("PostgreSQL tenant store: Storage:SharedDatabases must be 1-100."),
        { MaxPoolSizePerSharedDatabase: < 1 } => ValidateOptionsResult.Fail("PostgreSQL tenant store: Storage:MaxPoolSizePerSharedDatabase must be at least 1."),
        _ => ValidateOptionsResult.Success,
    };
}
