using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;
using OrleansSocial.Persistence.Postgres;

namespace Orleans.Hosting;

/// <summary>Where a cluster-mode silo finds its PostgreSQL server.</summary>
public sealed class PostgresClusterOptions
{
    public string ConnectionString { get; set; } = "";
}

public static class PostgresClusterSiloBuilderExtensions
{
    public const string Invariant = "Npgsql";

    /// <summary>
    /// Membership, reminders and (unless <paramref name="storageName"/> is null) the named grain
    /// storage on PostgreSQL through Orleans' ADO.NET providers. The schema is applied before
    /// anything else in the silo starts.
    /// </summary>
    public static ISiloBuilder UsePostgresCluster(this ISiloBuilder builder, string? storageName, Action<OptionsBuilder<PostgresClusterOptions>> configure)
    {
        configure(builder.Services.AddOptions<PostgresClusterOptions>());
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, SchemaParticipant>();
        builder.UseAdoNetClustering(options => options.Configure<IOptions<PostgresClusterOptions>>((ado, pg) =>
        {
            ado.Invariant = Invariant;
            ado.ConnectionString = pg.Value.ConnectionString;
        }));
        builder.UseAdoNetReminderService(options => options.Configure<IOptions<PostgresClusterOptions>>((ado, pg) =>
        {
            ado.Invariant = Invariant;
            ado.ConnectionString = pg.Value.ConnectionString;
        }));
        if (storageName is not null)
        {
            builder.AddAdoNetGrainStorage(storageName, options => options.Configure<IOptions<PostgresClusterOptions>>((ado, pg) =>
            {
                ado.Invariant = Invariant;
                ado.ConnectionString = pg.Value.ConnectionString;
            }));
        }

        return builder;
    }

    /// <summary>Runs at the very first lifecycle stage: the ADO.NET providers read their queries from the schema.</summary>
    private sealed class SchemaParticipant(IOptions<PostgresClusterOptions> options) : ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle lifecycle) =>
            lifecycle.Subscribe(nameof(PostgresClusterSchema), ServiceLifecycleStage.First, ct => PostgresClusterSchema.ApplyAsync(options.Value.ConnectionString, ct));
    }
}
