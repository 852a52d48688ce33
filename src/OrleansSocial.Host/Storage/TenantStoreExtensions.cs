using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using MongoDB.Driver;
using OrleansSocial.Api.Configuration;
using OrleansSocial.Host.Configuration;
using OrleansSocial.Api.Health;
using OrleansSocial.Host.Health;
using OrleansSocial.Api.Tenancy;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Mongo;
using OrleansSocial.Storage.Naming;
using OrleansSocial.Storage.Placement;
using OrleansSocial.Storage.Postgres;
using OrleansSocial.Storage.Sqlite;

namespace OrleansSocial.Host.Storage;

/// <summary>The tenant store: the configured engine, its catalog created at start, and a readiness check.</summary>
public static class TenantStoreExtensions
{
    public const string TenantsFolder = "tenants";

    public static WebApplicationBuilder AddTenantStore(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();
        builder.Services.AddOptions<OrleansSocial.Tenancy.IsolationOptions>().BindConfiguration(OrleansSocial.Tenancy.IsolationOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<OrleansSocial.Tenancy.IsolationOptions>, IsolationOptionsValidator>();
        builder.Services.AddSingleton(services =>
        {
            var options = services.GetRequiredService<IOptions<StorageOptions>>().Value;
            var main = options.Engine switch
            {
                "postgres" => options.Postgres!,
                "mongo" => options.Mongo!,
                _ => Path.Combine(services.GetRequiredService<IOptions<DataOptions>>().Value.FullPath, TenantsFolder),
            };
            IReadOnlyList<DatabaseServer> servers =
            [
                new(options.ServerName, options.Weight, Engine(options, main), Schemas(options, main)),
                .. options.Servers.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => new DatabaseServer(s.Key, s.Value.Weight, Engine(options, s.Value.ConnectionString!), Schemas(options, s.Value.ConnectionString!))),
            ];
            return new PlacedDocumentStore(servers);
        });
        builder.Services.AddSingleton<IDocumentStore>(services => services.GetRequiredService<PlacedDocumentStore>());

        // Registered before the silo, so the catalog exists before any grain activates.
        builder.Services.AddHostedService<CatalogInitializer>();
        builder.Services.AddHealthChecks().AddCheck<TenantStoreHealthCheck>("tenant-store", tags: [HealthTags.Ready]);
        return builder;
    }

    /// <summary>One server's engine: <paramref name="location"/> is a connection string, or SQLite's folder.</summary>
    private static IDocumentStore Engine(StorageOptions options, string location) => options.Engine switch
    {
        "postgres" => new PostgresDocumentStore(new PostgresStoreOptions { ConnectionString = location, MaxOpenDatabases = options.MaxOpenDatabases, MaxPoolSizePerDatabase = options.MaxPoolSizePerDatabase }),
        "mongo" => new MongoDocumentStore(MongoConnection.Client(location)),
        _ => new SqliteDocumentStore(location, options.SqliteMemoryLimitMiB),
    };

    /// <summary>
    /// The schema tier of one server, where the engine has one (PostgreSQL). SQLite keeps a file per
    /// tenant, which costs no connection while unused; MongoDB a database per tenant, which shares the
    /// client's one connection pool already: neither has the ceiling the schema tier is for.
    /// </summary>
    private static IDocumentStore? Schemas(StorageOptions options, string location) => options.Engine == "postgres"
        ? new PostgresSchemaStore(new PostgresSchemaStoreOptions
        {
            ConnectionString = location,
            SharedDatabases = options.SharedDatabases,
            MaxPoolSizePerSharedDatabase = options.MaxPoolSizePerSharedDatabase,
            Collections = OrleansSocial.ReadModels.Collections.InTenantDatabase,
        })
        : null;

    private sealed class CatalogInitializer(IDocumentStore store) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await store.InitializeAsync(cancellationToken);
            // The operator's tenant list pages over ready tenants by this index.
            await store.Catalog.GetCollection(OrleansSocial.ReadModels.Collections.Tenants).EnsureIndexAsync(OrleansSocial.ReadModels.Lists.TenantListQuery.ByState, cancellationToken);
            // Meta's notifications reach tenants through the account directory; unrouted ones are swept by age.
            foreach (var index in OrleansSocial.Grains.Inbox.AccountDirectory.Indexes)
            {
                await store.Catalog.GetCollection(OrleansSocial.ReadModels.Collections.AccountChannels).EnsureIndexAsync(index, cancellationToken);
            }

            await store.Catalog.GetCollection(OrleansSocial.ReadModels.Collections.MetaEvents).EnsureIndexAsync(OrleansSocial.Grains.Inbox.MetaEventRecord.ByReceived, cancellationToken);
            // The operator overview counts by index, never by reading every row.
            foreach (var (collection, index) in OrleansSocial.ReadModels.Operations.OperatorOverview.Indexes)
            {
                await store.Catalog.GetCollection(collection).EnsureIndexAsync(index, cancellationToken);
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class TenantStoreHealthCheck(IDocumentStore store) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await store.PingAsync(cancellationToken);
                return HealthCheckResult.Healthy($"The {store.Engine} catalog answers.");
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                return HealthCheckResult.Unhealthy($"The {store.Engine} catalog does not answer ({exception.GetType().Name}).");
            }
        }
    }
}
