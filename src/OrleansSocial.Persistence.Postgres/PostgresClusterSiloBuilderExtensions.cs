using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Runtime;
using OrleansSocial.Persistence.Postgres;

namespace Orleans.Hosting;

/// <summary>Where a cluster-mode silo finds its PostgreSQL server.</summary>
public sealed class PostgresClusterOptions
{
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// What Orleans' providers connect with: <see cref="ConnectionString"/>, with statements prepared
    /// automatically and no reset on return to the pool unless the connection string says otherwise.
    /// Orleans runs a handful of statements over and over (a post's reminder read and removed, every
    /// grain state read): prepared once per connection, the server plans each once rather than at every
    /// call (planning was more than half of the reminder statements' server time in the publishing benchmark).
    /// None of them leaves session state behind, so a pooled connection needs no DISCARD ALL.
    /// </summary>
    public string ProviderConnectionString
    {
        get
        {
            // Npgsql's own builder answers ContainsKey for every keyword it knows: what the operator wrote is read plainly.
            var written = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = ConnectionString }.Keys.Cast<string>()
                .Select(k => k.Replace(" ", "", StringComparison.Ordinal)).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
            if (!written.Contains("MaxAutoPrepare"))
            {
                builder.MaxAutoPrepare = 32;
            }

            if (!written.Contains("NoResetOnClose"))
            {
                builder.NoResetOnClose = true;
            }

            return builder.ConnectionString;
        }
    }
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
            ado.ConnectionString = pg.Value.ProviderConnectionString;
        }));
        builder.UseAdoNetReminderService(options => options.Configure<IOptions<PostgresClusterOptions>>((ado, pg) =>
        {
            ado.Invariant = Invariant;
            ado.ConnectionString = pg.Value.ProviderConnectionString;
        }));
        if (storageName is not null)
        {
            builder.AddAdoNetGrainStorage(storageName, options => options.Configure<IOptions<PostgresClusterOptions>>((ado, pg) =>
            {
                ado.Invariant = Invariant;
                ado.ConnectionString = pg.Value.ProviderConnectionString;
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
