using System.Net;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Dashboard;
using OrleansSocial.Api.Configuration;
using OrleansSocial.Host.Configuration;
using OrleansSocial.Api.Health;
using OrleansSocial.Host.Health;

namespace OrleansSocial.Host.Extensions;

/// <summary>
/// Makes this process an Orleans silo: the embedded profile (one localhost silo, Orleans state in
/// SQLite) or cluster mode (<c>Orleans:Mode=postgres</c>: silos sharing PostgreSQL).
/// </summary>
public static class OrleansSiloExtensions
{
    /// <summary>Name of the grain storage provider that grains persist through.</summary>
    public const string StateStorage = OrleansSocial.Grains.GrainState.Storage;

    public const string EmbeddedStateFile = "orleans.db";

    public static string EmbeddedStatePath(this DataOptions data) => Path.Combine(data.FullPath, EmbeddedStateFile);

    public static WebApplicationBuilder AddOrleansSilo(this WebApplicationBuilder builder)
    {
        // Which providers to register is decided now, from the configuration the process started
        // with; every other setting is read when options resolve.
        var cluster = builder.Configuration.GetSection(ClusterSettings.Section).Get<ClusterSettings>() ?? new ClusterSettings();
        builder.UseOrleans(orleans =>
        {
            var services = orleans.Services;
            services.AddOptions<ClusterOptions>().Configure<IOptions<ClusterSettings>>((options, settings) =>
            {
                options.ClusterId = settings.Value.ClusterId;
                options.ServiceId = settings.Value.ServiceId;
            });
            services.AddOptions<ReminderOptions>().Configure<IOptions<ClusterSettings>>((reminders, settings) =>
                reminders.MinimumReminderPeriod = settings.Value.MinimumReminderPeriod);
            // Failure detection and the like (Orleans:Membership:ProbeTimeout, NumMissedProbesLimit, ...):
            // our defaults first, configuration over them.
            services.AddOptions<ClusterMembershipOptions>()
                .Configure(FailureDetection.Apply)
                .BindConfiguration($"{ClusterSettings.Section}:Membership");

            if (cluster.IsCluster)
            {
                UseCluster(orleans, cluster.GrainState == "mongo");
                if (cluster.Kubernetes)
                {
                    orleans.UseKubernetesHosting();
                }
            }
            else
            {
                UseEmbedded(orleans);
            }

            // A write refused mid-move becomes a 503 the front can answer, from whichever grain met it.
            orleans.AddIncomingGrainCallFilter<OrleansSocial.Grains.Placement.StorageRefusalFilter>();
            orleans.AddDashboard();
            // Trace context flows through grain calls, so a request's trace includes its grains.
            orleans.AddActivityPropagation();
        });

        if (!cluster.IsCluster)
        {
            builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
                "orleans-state",
                services => new EmbeddedStateHealthCheck(services.GetRequiredService<IOptions<DataOptions>>().Value.EmbeddedStatePath()),
                failureStatus: null,
                tags: [HealthTags.Ready]));
        }

        return builder;
    }

    /// <summary>One silo on loopback; grain state and reminders in <c>Data:Path/orleans.db</c>.</summary>
    private static void UseEmbedded(ISiloBuilder orleans)
    {
        orleans.UseLocalhostClustering();
        var services = orleans.Services;
        services.AddOptions<EndpointOptions>().Configure<IOptions<ClusterSettings>>((endpoints, settings) =>
        {
            endpoints.SiloPort = settings.Value.SiloPort;
            endpoints.GatewayPort = settings.Value.GatewayPort;
        });
        services.AddOptions<DevelopmentClusterMembershipOptions>().Configure<IOptions<ClusterSettings>>((membership, settings) =>
            membership.PrimarySiloEndpoint = new IPEndPoint(IPAddress.Loopback, settings.Value.SiloPort));
        orleans.AddSqliteGrainStorage(StateStorage, options => options.Configure<IOptions<DataOptions>>((sqlite, data) => sqlite.DatabasePath = data.Value.EmbeddedStatePath()));
        orleans.UseSqliteReminderService(options => options.Configure<IOptions<DataOptions>>((sqlite, data) => sqlite.DatabasePath = data.Value.EmbeddedStatePath()));
    }

    /// <summary>Any number of silos: membership, reminders and grain state in PostgreSQL (<c>Orleans:Postgres</c>).</summary>
    private static void UseCluster(ISiloBuilder orleans, bool grainStateInMongo)
    {
        var services = orleans.Services;
        services.AddOptions<EndpointOptions>().Configure<IOptions<ClusterSettings>>((endpoints, settings) =>
        {
            endpoints.SiloPort = settings.Value.SiloPort;
            endpoints.GatewayPort = settings.Value.GatewayPort;
            if (settings.Value.AdvertisedAddress is { Length: > 0 } address)
            {
                endpoints.AdvertisedIPAddress = IPAddress.Parse(address);
            }
        });
        orleans.UsePostgresCluster(grainStateInMongo ? null : StateStorage, options => options.Configure<IOptions<ClusterSettings>>((pg, settings) =>
            pg.ConnectionString = settings.Value.Postgres ?? ""));
        if (grainStateInMongo)
        {
            orleans.AddMongoGrainStorage(StateStorage, options => options.Configure<IConfiguration>((mongo, configuration) =>
                mongo.ConnectionString = configuration["Storage:Mongo"] ?? ""));
        }
    }
}
