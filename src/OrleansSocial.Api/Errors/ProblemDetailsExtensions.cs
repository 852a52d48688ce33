using System.Diagnostics;
using System.Text.Json.Serialization;

namespace OrleansSocial.Api.Errors;

/// <summary>Problem details (RFC 9457) for every error the front produces, from one place.</summary>
internal static class ProblemDetailsExtensions
{
    public static IServiceCollection AddProblemDetailsEverywhere(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            problem.Instance ??= context.HttpContext.Request.Path;
            // RFC 9457: a problem with no more specific type is "about:blank"; say so rather than leave it out.
            problem.Type ??= "about:blank";
            problem.Detail ??= DefaultDetail(problem.Status ?? context.HttpContext.Response.StatusCode);
            problem.Extensions["traceId"] = Activity.Current?.Id ?? context.HttpContext.TraceIdentifier;
            // Never a stack trace or exception text, whatever the environment.
            problem.Extensions.Remove("exception");
        });
        // After ASP.NET Core's writer, which stays first for clients that accept JSON.
        services.AddSingleton<IProblemDetailsWriter, AnyAcceptProblemWriter>();
        services.AddExceptionHandler<ProblemExceptionHandler>();

        // Reading failures surface as exceptions, so the handler above can say which field was wrong.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            // Numbers are numbers: "5" is not 5. This also keeps the OpenAPI document's integers plain integers.
            options.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.SnakeCaseLower));
        });
        return services;
    }

    /// <summary>What a bodiless error response (from routing or the framework) means, for clients.</summary>
    private static string? DefaultDetail(int status) => status switch
    {
        StatusCodes.Status404NotFound => "No resource exists at this path.",
        StatusCodes.Status405MethodNotAllowed => "This path does not accept the request's method.",
        StatusCodes.Status415UnsupportedMediaType => "Send the body as 'Content-Type: application/json'.",
        _ => null,
    };

    public static WebApplication UseProblemDetailsEverywhere(this WebApplication app)
    {
        app.UseExceptionHandler();
        // Empty error responses (unknown route, wrong method) get a problem body too.
        app.UseStatusCodePages();
        return app;
    }
}
