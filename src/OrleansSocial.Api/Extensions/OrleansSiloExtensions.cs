using System.Net;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Dashboard;
using OrleansSocial.Api.Configuration;
using OrleansSocial.Api.Health;

namespace OrleansSocial.Api.Extensions;

/// <summary>Makes this process an Orleans silo. The embedded profile: one localhost silo, state and reminders in SQLite.</summary>
public static class OrleansSiloExtensions
{
    /// <summary>Name of the grain storage provider that grains persist through.</summary>
    public const string StateStorage = "state";

    public const string EmbeddedStateFile = "orleans.db";

    public static string EmbeddedStatePath(this DataOptions data) => Path.Combine(data.FullPath, EmbeddedStateFile);

    public static WebApplicationBuilder AddOrleansSilo(this WebApplicationBuilder builder)
    {
        builder.UseOrleans(orleans =>
        {
            orleans.UseLocalhostClustering();
            // Settings are read when options resolve, so every configuration source (files,
            // environment, command line, test hosts) applies the same way.
            var services = orleans.Services;
            services.AddOptions<ClusterOptions>().Configure<IOptions<ClusterSettings>>((cluster, settings) =>
            {
                cluster.ClusterId = settings.Value.ClusterId;
                cluster.ServiceId = settings.Value.ServiceId;
            });
            services.AddOptions<EndpointOptions>().Configure<IOptions<ClusterSettings>>((endpoints, settings) =>
            {
                endpoints.SiloPort = settings.Value.SiloPort;
                endpoints.GatewayPort = settings.Value.GatewayPort;
            });
            services.AddOptions<DevelopmentClusterMembershipOptions>().Configure<IOptions<ClusterSettings>>((membership, settings) =>
                membership.PrimarySiloEndpoint = new IPEndPoint(IPAddress.Loopback, settings.Value.SiloPort));
            services.AddOptions<ReminderOptions>().Configure<IOptions<ClusterSettings>>((reminders, settings) =>
                reminders.MinimumReminderPeriod = settings.Value.MinimumReminderPeriod);

            orleans.AddSqliteGrainStorage(StateStorage, options => options.Configure<IOptions<DataOptions>>((sqlite, data) => sqlite.DatabasePath = data.Value.EmbeddedStatePath()));
            orleans.UseSqliteReminderService(options => options.Configure<IOptions<DataOptions>>((sqlite, data) => sqlite.DatabasePath = data.Value.EmbeddedStatePath()));
            orleans.AddDashboard();
        });

        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            "orleans-state",
            services => new EmbeddedStateHealthCheck(services.GetRequiredService<IOptions<DataOptions>>().Value.EmbeddedStatePath()),
            failureStatus: null,
            tags: [HealthTags.Ready]));
        return builder;
    }
}
