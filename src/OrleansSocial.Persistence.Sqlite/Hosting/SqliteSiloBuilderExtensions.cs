using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Providers;
using Orleans.Runtime.Hosting;
using Orleans.Storage;
using OrleansSocial.Persistence.Sqlite.Providers;
using OrleansSocial.Persistence.Sqlite.Reminders;
using OrleansSocial.Persistence.Sqlite.Storage;

namespace Orleans.Hosting;

/// <summary>Registers the SQLite grain storage and reminder table on a silo.</summary>
public static class SqliteSiloBuilderExtensions
{
    /// <summary>Adds a named SQLite grain storage provider.</summary>
    public static ISiloBuilder AddSqliteGrainStorage(this ISiloBuilder builder, string name, Action<OptionsBuilder<SqliteOrleansOptions>> configure)
    {
        configure(builder.Services.AddOptions<SqliteOrleansOptions>(name).ValidateOnStart());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SqliteOrleansOptions>, SqliteOrleansOptionsValidator>());
        builder.Services.AddGrainStorage(name, (services, providerName) =>
        {
            var options = services.GetRequiredService<IOptionsMonitor<SqliteOrleansOptions>>().Get(providerName);
            return new SqliteGrainStorage(
                providerName,
                services.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId,
                new SqliteDatabase(options),
                services.GetRequiredService<IGrainStorageSerializer>(),
                services.GetRequiredService<ILogger<SqliteGrainStorage>>());
        });
        return builder;
    }

    /// <summary>Adds SQLite grain storage as the provider grains get when they name none.</summary>
    public static ISiloBuilder AddSqliteGrainStorageAsDefault(this ISiloBuilder builder, Action<OptionsBuilder<SqliteOrleansOptions>> configure) =>
        builder.AddSqliteGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, configure);

    /// <summary>Keeps reminders in a SQLite table.</summary>
    public static ISiloBuilder UseSqliteReminderService(this ISiloBuilder builder, Action<OptionsBuilder<SqliteOrleansOptions>> configure)
    {
        builder.AddReminders();
        configure(builder.Services.AddOptions<SqliteOrleansOptions>().ValidateOnStart());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SqliteOrleansOptions>, SqliteOrleansOptionsValidator>());
        builder.Services.AddSingleton<IReminderTable>(services =>
            new SqliteReminderTable(
                new SqliteDatabase(services.GetRequiredService<IOptions<SqliteOrleansOptions>>().Value),
                services.GetRequiredService<IOptions<ClusterOptions>>()));
        return builder;
    }
}
