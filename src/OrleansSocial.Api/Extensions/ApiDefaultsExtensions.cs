using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansSocial.Api.Apis;
using OrleansSocial.Api.Configuration;
using OrleansSocial.Api.Errors;
using OrleansSocial.Api.Health;
using OrleansSocial.Api.Operators;
using OrleansSocial.Api.Tenancy;

namespace OrleansSocial.Api.Extensions;

/// <summary>What every API silo has, whatever it serves: options, errors, auth, health, OpenAPI.</summary>
public static class ApiDefaultsExtensions
{
    public static WebApplicationBuilder AddApiDefaults(this WebApplicationBuilder builder)
    {
        var services = builder.Services;

        services.AddOptions<DataOptions>().BindConfiguration(DataOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<OperatorOptions>().BindConfiguration(OperatorOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        services.AddOptions<KestrelServerOptions>()
            .Configure<IOptions<ApiOptions>>((kestrel, api) =>
            {
                kestrel.Limits.MaxRequestBodySize = api.Value.MaxRequestBodyBytes;
                // Above the app's own limits, so that the app answers them with problem details.
                kestrel.Limits.MaxRequestLineSize = RequestSizeLimits.KestrelRequestLineBytes;
                kestrel.Limits.MaxRequestHeadersTotalSize = RequestSizeLimits.KestrelHeaderBytes;
                // Non-ASCII header values reach the tenant strategy and get its 400 instead of a bare protocol error.
                kestrel.RequestHeaderEncodingSelector = _ => System.Text.Encoding.UTF8;
            });

        services.AddProblemDetailsEverywhere();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ApiOptions>>((forwarded, api) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor;
            // Only the proxies named in configuration: not ASP.NET Core's default of trusting loopback.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in api.Value.KnownProxies)
            {
                forwarded.KnownProxies.Add(System.Net.IPAddress.Parse(proxy));
            }
        });

        services.AddSingleton(services => OperatorKey.Create(
            services.GetRequiredService<IOptions<OperatorOptions>>(),
            services.GetRequiredService<IOptions<DataOptions>>(),
            services.GetRequiredService<ILogger<OperatorKey>>()));
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, OperatorAuthenticationHandler>(OperatorAuthenticationHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, MemberAuthenticationHandler>(MemberAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddMemberPolicies()
            .AddPolicy(OperatorAuthenticationHandler.PolicyName, policy => policy
                .AddAuthenticationSchemes(OperatorAuthenticationHandler.SchemeName)
                .RequireRole("operator"));

        services.AddHealthChecks()
            .AddCheck<SiloActiveHealthCheck>("silo", tags: [HealthTags.Ready]);

        services.AddApiDocumentation();
        services.AddTenantRateLimiting();
        services.AddSingleton<Security.FailedAuthentication>();
        services.TryAddSingleton<OrleansSocial.ReadModels.Operations.OperatorFigures>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<TenantDirectory>();
        services.AddSingleton<ReadModels.TenantReads>();
        services.AddSingleton<ReadModels.Operations.OperatorOverview>();
        services.AddSingleton<AccessCache>();
        services.AddHostedService<AccessCacheMembership>();
        return builder;
    }

    public static WebApplication UseApiDefaults(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<ApiOptions>>().Value.KnownProxies.Count > 0)
        {
            app.UseForwardedHeaders();
        }

        app.UseProblemDetailsEverywhere();
        app.UseRequestSizeLimits();
        app.UseDashboardWithoutTrailingSlash();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseDashboardAddressGuard();
        app.UseRateLimiter();
        return app;
    }
}
