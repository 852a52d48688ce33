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
    /// <summary>Adds a named MongoDB grain storage provider; its indexes are created as the silo starts.</summary>
    public static ISiloBuilder AddMongoGrainStorage(this ISiloBuilder builder, string name, Action<OptionsBuilder<MongoGrainStorageOptions>> configure)
    {
        configure(builder.Services.AddOptions<MongoGrainStorageOptions>(name)
            .Validate(o => !string.IsNullOrWhiteSpace(o.ConnectionString), $"The MongoDB grain storage '{name}' needs a connection string."));
        // AddGrainStorage also subscribes the provider to the silo lifecycle (its start-up indexes).
        builder.Services.AddGrainStorage(name, (services, providerName) =>
        {
            var options = services.GetRequiredService<IOptionsMonitor<MongoGrainStorageOptions>>().Get(providerName);
            return new MongoGrainStorage(providerName, options, new MongoClient(options.ConnectionString), services.GetRequiredService<IGrainStorageSerializer>(),
                services.GetService<TimeProvider>() ?? TimeProvider.System, services.GetRequiredService<ILogger<MongoGrainStorage>>());
        });
        return builder;
    }
}
