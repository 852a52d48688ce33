using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MongoDB.Driver;
using Orleans.Runtime;
using Orleans.Runtime.Hosting;
using Orleans.Storage;
using OrleansSocial.Persistence.Mongo;

namespace Orleans.Hosting;

public static class MongoGrainStorageSiloBuilderExtensions
{
    /// <summary>Adds a named MongoDB grain storage provider; its settings are checked as the silo starts.</summary>
    public static ISiloBuilder AddMongoGrainStorage(this ISiloBuilder builder, string name, Action<OptionsBuilder<MongoGrainStorageOptions>> configure)
    {
        configure(builder.Services.AddOptions<MongoGrainStorageOptions>(name)
            .Validate(o => !string.IsNullOrWhiteSpace(o.ConnectionString), $"The MongoDB grain storage '{name}' needs a connection string.")
            .Validate(o => MongoGrainStateLayout.IsValidDatabaseName(o.DefaultDatabase),
                $"The MongoDB grain storage '{name}': DefaultDatabase must be a MongoDB database name (1-63 bytes, none of /\\. \"$*<>:|?).")
            .ValidateOnStart());
        builder.Services.AddGrainStorage(name, (services, providerName) =>
        {
            var options = services.GetRequiredService<IOptionsMonitor<MongoGrainStorageOptions>>().Get(providerName);
            var serviceId = services.GetRequiredService<IOptions<Orleans.Configuration.ClusterOptions>>().Value.ServiceId;
            return new MongoGrainStorage(providerName, serviceId, options, OrleansSocial.Storage.Mongo.MongoConnection.Client(options.ConnectionString), services.GetRequiredService<IGrainStorageSerializer>(),
                services.GetService<TimeProvider>() ?? TimeProvider.System, services.GetRequiredService<ILogger<MongoGrainStorage>>());
        });
        return builder;
    }
}
