using OrleansSocial.Api.Apis;
using Microsoft.Extensions.Options;
using OrleansSocial.Api.Channels;
using OrleansSocial.Api.GraphBackend;
using OrleansSocial.Api.Secrets;
using OrleansSocial.Graph;
using OrleansSocial.Api.Storage;
using OrleansSocial.Api.Validation;
using OrleansSocial.Graph.Hosting;
using OrleansSocial.Grains.Budget;
using OrleansSocial.Grains.Channels.Scheduling;

namespace OrleansSocial.Api.Extensions;

/// <summary>The whole API silo in two calls, shared by Program.cs and the benchmarks.</summary>
public static class OrleansSocialExtensions
{
    public static WebApplicationBuilder AddOrleansSocial(this WebApplicationBuilder builder)
    {
        builder.AddApiDefaults();
        builder.AddObservability();
        builder.AddTenantStore();
        // Graph:BaseUrl, Graph:Version, Graph:AppId, Graph:AppSecret; validated at start.
        builder.Services.AddGraphClient();
        builder.Services.AddTokenProtection();
        builder.Services.AddSingleton<EmbeddedGraphEmulator>();
        builder.Services.AddHostedService(services => services.GetRequiredService<EmbeddedGraphEmulator>());
        builder.Services.AddSingleton<IPostConfigureOptions<GraphOptions>, EmbeddedGraphEmulator.ConfigureGraph>();
        builder.Services.AddSingleton<ChannelConnector>();
        builder.Services.AddSyncEngine();
        builder.Services.AddOptions<SyncOptions>().BindConfiguration(SyncOptions.Section)
            .Validate(o => o.CatchUpPeriod > TimeSpan.Zero && o.ResumePeriod > TimeSpan.Zero && o.StaggerWindow >= TimeSpan.Zero, "Sync:CatchUpPeriod and Sync:ResumePeriod must be positive, Sync:StaggerWindow not negative.")
            .ValidateOnStart();
        builder.Services.AddOptions<RateBudgetOptions>().BindConfiguration(RateBudgetOptions.Section);
        builder.AddOrleansSilo();
        builder.Services.AddHostedService<Health.ShutdownDrain>();
        builder.Services.AddHostedService<Tenancy.UnfinishedProvisioningRecovery>();
        return builder;
    }

    public static WebApplication UseOrleansSocial(this WebApplication app)
    {
        app.UseApiDefaults();
        app.MapOperations();
        // Every product route sits behind one input gate: nulls, invisible strings, dates out of range.
        var routes = app.MapGroup("").ValidateRequests();
        routes.MapAdminTenantsApi();
        routes.MapTenantApi();
        routes.MapMembersApi();
        routes.MapChannelsApi();
        routes.MapAnalyticsApi();
        return app;
    }
}
