using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansSocial.Storage.Hosting;
using OrleansSocial.Storage.Placement;

namespace OrleansSocial.Storage.Mongo.Hosting;

/// <summary>The MongoDB tenant store's settings.</summary>
public sealed class MongoTenantStoreOptions
{
    /// <summary>The main deployment's connection string (<c>Storage:Mongo</c>).</summary>
    public string? ConnectionString { get; set; }
}

/// <summary>
/// Registers MongoDB as the tenant store engine: a database per tenant. No schema tier: one client's
/// connection pool already serves every database of a deployment, so there is no per-database
/// connection ceiling for one to lift (its cost per tenant is WiredTiger's files, which a shared
/// database would not change for the collections a tenant uses).
/// </summary>
public static class MongoTenantStoreExtensions
{
    public static IServiceCollection AddMongoTenantStore(this IServiceCollection services, Action<OptionsBuilder<MongoTenantStoreOptions>> configure)
    {
        configure(services.AddOptions<MongoTenantStoreOptions>().ValidateOnStart());
        services.AddSingleton<IValidateOptions<MongoTenantStoreOptions>, MongoTenantStoreOptionsValidator>();
        services.AddSingleton<ITenantStoreEngine>(provider => new MongoTenantStoreEngine(provider.GetRequiredService<IOptions<MongoTenantStoreOptions>>().Value));
        return services;
    }
}

internal sealed class MongoTenantStoreEngine(MongoTenantStoreOptions options) : ITenantStoreEngine
{
    public string Name => "mongo";

    public string MainLocation => options.ConnectionString!;

    public DatabaseServer Server(string name, int weight, string location) => new(name, weight, new MongoDocumentStore(MongoConnection.Client(location)));
}

internal sealed class MongoTenantStoreOptionsValidator : IValidateOptions<MongoTenantStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, MongoTenantStoreOptions options) => string.IsNullOrWhiteSpace(options.ConnectionString)
        ? ValidateOptionsResult.Fail("MongoDB tenant store: Storage:Mongo must hold a connection string when Storage:Engine is 'mongo'.")
        : ValidateOptionsResult.Success;
}
