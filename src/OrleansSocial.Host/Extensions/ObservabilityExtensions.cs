using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OrleansSocial.Grains.Channels.Sync;

namespace OrleansSocial.Host.Extensions;

/// <summary>
/// OpenTelemetry metrics and traces: ASP.NET Core, HttpClient (the Graph client), Orleans, and the
/// product's own meters. Metrics are served for Prometheus at <c>Operations:MetricsPath</c> (operator
/// key) and, like traces, exported over OTLP when an endpoint is configured
/// (<c>OpenTelemetry:OtlpEndpoint</c>, or the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>).
/// </summary>
public static class ObservabilityExtensions
{
    public const string ServiceName = "orleans-social";

    // The two Graph calls whose contract puts a token or the app secret in the query string are
    // never traced, whatever a future instrumentation version does with query strings.
    private static readonly string[] SecretBearingPaths = ["/oauth/access_token", "/debug_token"];

    public static WebApplicationBuilder AddObservability(this WebApplicationBuilder builder)
    {
        var endpoint = builder.Configuration["OpenTelemetry:OtlpEndpoint"];
        var standardEndpoint = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var exporting = !string.IsNullOrWhiteSpace(endpoint) || standardEndpoint;
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddMeter("Microsoft.Orleans")
                .AddMeter(SyncMetrics.MeterName)
                .AddMeter(OrleansSocial.Grains.Posts.Publishing.PublishingMetrics.MeterName)
                .AddMeter(OrleansSocial.Api.Meta.MetaWebhookMetrics.MeterName)
                .AddMeter(OrleansSocial.Api.Security.SecurityMetrics.MeterName)
                .AddMeter(Operations.OperatorGauges.MeterName)
                .AddPrometheusExporter());

        // Spans only where they go somewhere: recorded with no exporter, a span per request and two
        // per grain call were a tenth of the CPU of the hottest route (see the tenancy benchmark).
        if (exporting)
        {
            telemetry.WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation(http => http.FilterHttpRequestMessage = request =>
                    request.RequestUri is not { } uri || !SecretBearingPaths.Any(path => uri.AbsolutePath.EndsWith(path, StringComparison.Ordinal)))
                .AddSource("Microsoft.Orleans.Runtime")
                .AddSource("Microsoft.Orleans.Application"));
        }

        if (!string.IsNullOrWhiteSpace(endpoint))
        {
            telemetry.UseOtlpExporter(OpenTelemetry.Exporter.OtlpExportProtocol.Grpc, new Uri(endpoint));
        }
        else if (standardEndpoint)
        {
            telemetry.UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>The operator figures: published per silo, read by the overview, exported as gauges.</summary>
    public static WebApplicationBuilder AddOperatorFigures(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<OrleansSocial.ReadModels.Operations.OperationsOptions>().BindConfiguration(OrleansSocial.ReadModels.Operations.OperationsOptions.Section)
            .Validate(o => o.PublishInterval > TimeSpan.Zero && o.DataPastDueAfter > TimeSpan.Zero && o.TokenExpiryHorizon > TimeSpan.Zero,
                "Operations:PublishInterval, Operations:DataPastDueAfter and Operations:TokenExpiryHorizon must be positive.")
            .Validate(o => string.IsNullOrEmpty(o.MetricsPath) || o.MetricsPath.StartsWith('/'), "Operations:MetricsPath must start with '/' (or be empty to serve no metrics).")
            .ValidateOnStart();
        builder.Services.AddSingleton<Operations.OperatorGauges>();
        builder.Services.AddHostedService<Operations.FiguresPublisher>();
        return builder;
    }

    /// <summary>The Prometheus scrape route, for the operator key only: tenant ids ride in some series' labels.</summary>
    public static WebApplication MapMetrics(this WebApplication app)
    {
        var path = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<OrleansSocial.ReadModels.Operations.OperationsOptions>>().Value.MetricsPath;
        if (!string.IsNullOrEmpty(path))
        {
            app.MapPrometheusScrapingEndpoint(path).RequireAuthorization(OrleansSocial.Api.Operators.OperatorAuthenticationHandler.PolicyName);
        }

        return app;
    }
}
