using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using OrleansSocial.Api.Health;

namespace OrleansSocial.Api.Extensions;

/// <summary>Routes for operators and orchestrators: health, the dashboard and the API contract.</summary>
public static class OperationsEndpoints
{
    public static WebApplication MapOperations(this WebApplication app)
    {
        // Liveness runs no check: a process that answers is alive.
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthResponseWriter.WriteAsync });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(HealthTags.Ready),
            ResponseWriter = HealthResponseWriter.WriteAsync,
        });

        app.MapDashboard();
        app.MapApiDocumentation();
        return app;
    }
}
