using OrleansSocial.Api.Apis;
using OrleansSocial.Api.Extensions;
using OrleansSocial.Host.Configuration;
using Microsoft.Extensions.Options;
using OrleansSocial.Host.GraphBackend;
using OrleansSocial.Api.Secrets;
using OrleansSocial.Host.Secrets;
using OrleansSocial.Graph;
using OrleansSocial.Grains.Webhooks;
using OrleansSocial.Host.Storage;
using OrleansSocial.Api.Validation;
using OrleansSocial.Graph.Hosting;
using OrleansSocial.Grains.Budget;
using OrleansSocial.Grains.Channels.Scheduling;

namespace OrleansSocial.Host.Extensions;

/// <summary>The whole API silo in two calls, shared by Program.cs and the benchmarks.</summary>
public static class OrleansSocialExtensions
{
    /// <summary>
    /// Default log levels: the product's own events at information, library chatter (Orleans, Polly,
    /// ASP.NET Core, HttpClient) at warning. The first configuration source, so appsettings, environment
    /// variables and the command line still override each one.
    /// </summary>
    private static readonly Dictionary<string, string?> LogDefaults = new()
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft"] = "Warning",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
        ["Logging:LogLevel:System.Net.Http"] = "Warning",
        ["Logging:LogLevel:Orleans"] = "Warning",
        ["Logging:LogLevel:Polly"] = "Warning",
        ["Logging:LogLevel:OrleansSocial"] = "Information",
        // The authentication base class logs every refusal at information; our security events say it better.
        ["Logging:LogLevel:OrleansSocial.Api.Tenancy.MemberAuthenticationHandler"] = "Warning",
        ["Logging:LogLevel:OrleansSocial.Api.Operators.OperatorAuthenticationHandler"] = "Warning",
    };

    public static WebApplicationBuilder AddOrleansSocial(this WebApplicationBuilder builder)
    {
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = LogDefaults });
        builder.AddApiDefaults();
        Hosting.RecoveredWorkLogLevels.Register(builder.Services);
        builder.Services.AddOptions<ClusterSettings>().BindConfiguration(ClusterSettings.Section).ValidateDataAnnotations()
            .Validate(s => !s.IsCluster || !string.IsNullOrWhiteSpace(s.Postgres), "Orleans:Postgres (a connection string) must be set when Orleans:Mode is postgres.")
            .ValidateOnStart();
        builder.AddObservability();
        builder.AddTenantStore();
        // Graph:BaseUrl, Graph:Version, Graph:AppId, Graph:AppSecret; validated at start.
        builder.Services.AddGraphClient();
        builder.Services.AddTokenProtection();
        // Generated at start, not at the first request, so the operator learns where the key is right away.
        builder.Services.AddHostedService<SecretsInitializer>();
        builder.Services.AddSingleton<EmbeddedGraphEmulator>();
        builder.Services.AddHostedService(services => services.GetRequiredService<EmbeddedGraphEmulator>());
        builder.Services.AddSingleton<IPostConfigureOptions<GraphOptions>, EmbeddedGraphEmulator.ConfigureGraph>();
        // A real Graph backend needs the app's credentials (token exchange, debug_token, appsecret_proof);
        // without them connecting a channel failed long after start. The embedded emulator fills them in.
        builder.Services.AddOptions<GraphOptions>()
            .Validate(o => !string.IsNullOrWhiteSpace(o.AppId) && !string.IsNullOrWhiteSpace(o.AppSecret),
                "Graph:BaseUrl names a Graph API backend but Graph:AppId and Graph:AppSecret are not both set: set the app's id and secret, or leave Graph:BaseUrl unset to use the embedded emulator.")
            .ValidateOnStart();
        builder.Services.AddOptions<OrleansSocial.Api.Meta.MetaWebhookOptions>().BindConfiguration(OrleansSocial.Api.Meta.MetaWebhookOptions.Section);
        builder.Services.AddSingleton<IPostConfigureOptions<OrleansSocial.Api.Meta.MetaWebhookOptions>, EmbeddedGraphEmulator.ConfigureMetaWebhooks>();
        builder.Services.AddHostedService<Inbox.MetaWebhookRegistration>();
        builder.Services.AddHostedService<Inbox.MetaEventSweep>();
        builder.Services.AddSyncEngine();
        builder.Services.AddOptions<SyncOptions>().BindConfiguration(SyncOptions.Section)
            .Validate(o => o.CatchUpPeriod > TimeSpan.Zero && o.ResumePeriod > TimeSpan.Zero && o.StaggerWindow >= TimeSpan.Zero, "Sync:CatchUpPeriod and Sync:ResumePeriod must be positive, Sync:StaggerWindow not negative.")
            .ValidateOnStart();
        builder.Services.AddOptions<RateBudgetOptions>().BindConfiguration(RateBudgetOptions.Section);
        builder.Services.AddWebhookDelivery();
        builder.Services.AddOptions<OrleansSocial.Grains.Posts.Publishing.PublishingOptions>().BindConfiguration(OrleansSocial.Grains.Posts.Publishing.PublishingOptions.Section)
            .Validate(o => o.MaxLateness > TimeSpan.Zero && o.ReminderPeriod > TimeSpan.Zero && o.MaxTries > 0 && o.ContainerPollInitial > TimeSpan.Zero
                && o.PassingRetryDelay > TimeSpan.Zero && o.PassingRetries >= 0,
                "Publishing:MaxLateness, Publishing:ReminderPeriod, Publishing:ContainerPollInitial and Publishing:PassingRetryDelay must be positive, Publishing:MaxTries at least 1, Publishing:PassingRetries not negative.")
            .ValidateOnStart();
        builder.AddOrleansSilo();
        builder.Services.AddSingleton<IPostConfigureOptions<ClusterSettings>, Hosting.SiloPortCheck>();
        builder.Services.AddHostedService<Hosting.StartupBanner>();
        // After Orleans' own registration, so this one is resolved: see ProcessClock for why.
        builder.Services.AddKeyedSingleton<TimeProvider>(Orleans.Runtime.TimeProviderNames.Membership, new Hosting.ProcessClock());
        builder.Services.AddHostedService<OrleansSocial.Api.Health.ShutdownDrain>();
        builder.Services.AddHostedService<OrleansSocial.Host.Recovery.UnfinishedProvisioningRecovery>();
        builder.Services.AddHostedService<OrleansSocial.Host.Recovery.UnfinishedMoveRecovery>();
        builder.Services.AddOptions<Reminders.MissedTickOptions>().BindConfiguration(Reminders.MissedTickOptions.Section)
            .Validate(o => o.CatchUpWindow >= TimeSpan.Zero && o.CatchUpDelay >= TimeSpan.Zero && o.FollowUpInterval >= TimeSpan.Zero && o.FollowUps >= 0 && o.MaxConcurrentCalls > 0,
                "Reminders:CatchUpWindow, CatchUpDelay, FollowUpInterval and FollowUps must not be negative, Reminders:MaxConcurrentCalls at least 1.")
            .ValidateOnStart();
        builder.Services.AddHostedService<Reminders.MissedTickCatchUp>();
        builder.AddOperatorFigures();
        return builder;
    }

    public static WebApplication UseOrleansSocial(this WebApplication app)
    {
        app.UseApiDefaults();
        app.MapOperations();
        app.MapMetrics();
        // Meta signs its notifications; they carry no tenant and pass no member gate.
        app.MapMetaWebhooksApi();
        // Every product route sits behind one input gate: nulls, invisible strings, dates out of range.
        var routes = app.MapGroup("").ValidateRequests();
        routes.MapAdminTenantsApi();
        routes.MapAdminServersApi();
        routes.MapAdminOverviewApi();
        routes.MapTenantApi();
        routes.MapMembersApi();
        routes.MapChannelsApi();
        routes.MapAnalyticsApi();
        routes.MapPostsApi();
        routes.MapWebhooksApi();
        routes.MapInboxApi();
        return app;
    }
}
