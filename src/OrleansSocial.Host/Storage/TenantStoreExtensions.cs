using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OrleansSocial.Api.Configuration;
using OrleansSocial.Host.Configuration;
using OrleansSocial.Api.Health;
using OrleansSocial.Host.Health;
using OrleansSocial.Api.Tenancy;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Hosting;
using OrleansSocial.Storage.Mongo.Hosting;
using OrleansSocial.Storage.Placement;
using OrleansSocial.Storage.Postgres.Hosting;
using OrleansSocial.Storage.Sqlite.Hosting;

namespace OrleansSocial.Host.Storage;

/// <summary>
/// The tenant store: the configured engine's provider, its servers by name and weight, the catalog
/// created at start, and a readiness check. Which tiers exist and what a location means is the engine's.
/// </summary>
public static class TenantStoreExtensions
{
    public const string TenantsFolder = "tenants";

    public static WebApplicationBuilder AddTenantStore(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();
        builder.Services.AddOptions<OrleansSocial.Tenancy.IsolationOptions>().BindConfiguration(OrleansSocial.Tenancy.IsolationOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<OrleansSocial.Tenancy.IsolationOptions>, IsolationOptionsValidator>();
        AddEngine(builder);
        builder.Services.AddSingleton(services =>
        {
            var options = services.GetRequiredService<IOptions<StorageOptions>>().Value;
            var engine = services.GetRequiredService<ITenantStoreEngine>();
            IReadOnlyList<DatabaseServer> servers =
            [
                engine.Server(options.ServerName, options.Weight, engine.MainLocation),
                .. options.Servers.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => engine.Server(s.Key, s.Value.Weight, s.Value.ConnectionString!)),
            ];
            return new PlacedDocumentStore(servers);
        });
        builder.Services.AddSingleton<IDocumentStore>(services => services.GetRequiredService<PlacedDocumentStore>());

        // Registered before the silo, so the catalog exists before any grain activates.
        builder.Services.AddHostedService<CatalogInitializer>();
        builder.Services.AddHealthChecks().AddCheck<TenantStoreHealthCheck>("tenant-store", tags: [HealthTags.Ready]);
        return builder;
    }

    /// <summary>The configured engine's provider, with its own options from the <c>Storage</c> section (keys unchanged).</summary>
    private static void AddEngine(WebApplicationBuilder builder)
    {
        var storage = builder.Configuration.GetSection(StorageOptions.Section);
        switch (storage[nameof(StorageOptions.Engine)] ?? "sqlite")
        {
            case "postgres":
                builder.Services.AddPostgresTenantStore(options => options.BindConfiguration(StorageOptions.Section).Configure(o =>
                {
                    o.ConnectionString = builder.Configuration["Storage:Postgres"];
                    // What provisioning writes is made with a tenant's schema; every other table on first use with its
                    // indexes, so a collection a tenant never uses costs it nothing (a table is four relations on disk:
                    // heap, key, TOAST and its index, plus one per index) and provisioning is a few relations, not sixty.
                    o.SchemaCollections = OrleansSocial.Grains.Tenancy.TenantSchema.Collections;
                    o.SchemaIndexes = OrleansSocial.Grains.Tenancy.TenantSchema.Indexes;
                }));
                break;
            case "mongo":
                builder.Services.AddMongoTenantStore(options => options.Configure(o => o.ConnectionString = builder.Configuration["Storage:Mongo"]));
                break;
            default:
                // An unknown engine is refused by StorageOptions' validator at start; SQLite stands in until then.
                builder.Services.AddSqliteTenantStore(options => options.BindConfiguration(StorageOptions.Section).Configure<IOptions<DataOptions>>((o, data) =>
                    o.Folder = Path.Combine(data.Value.FullPath, TenantsFolder)));
                break;
        }
    }

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
