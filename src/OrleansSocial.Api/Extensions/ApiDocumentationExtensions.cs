using Microsoft.OpenApi;
using OrleansSocial.Api.OpenApi;
using Scalar.AspNetCore;

namespace OrleansSocial.Api.Extensions;

/// <summary>The contract as served: the OpenAPI document and an interactive reference page.</summary>
internal static class ApiDocumentationExtensions
{
    public const string ReferencePath = "/reference";

    public static IServiceCollection AddApiDocumentation(this IServiceCollection services) =>
        services.AddOpenApi(options => options
            .AddDocumentTransformer(ContractTransformers.Document)
            .AddOperationTransformer(ContractTransformers.Operation)
            .AddSchemaTransformer(ContractTransformers.Schema)
            .AddDocumentTransformer(WebhookDocumentation.Describe)
            .AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "OrleansSocial API",
                Version = "v1",
                Contact = new OpenApiContact { Name = "OrleansSocial operators" },
                License = new OpenApiLicense { Name = "Proprietary: OrleansSocial", Identifier = "LicenseRef-OrleansSocial-Proprietary" },
                Description = """
                    Social media management backend. Operator routes live under /admin and take the operator key
                    as `Authorization: Bearer {operator key}` (scheme operatorKey). Tenant routes live under /api and take
                    `x-tenant-id` plus a member key (scheme memberKey). Errors are RFC 9457 problem details
                    (schema Problem) whose extensions name what was wrong; unknown JSON fields are rejected with
                    400. Lists are cursor-paged: limit 1-100 (default 25) and the previous page's nextCursor.
                    """,
            };
            return Task.CompletedTask;
        }));

    public static WebApplication MapApiDocumentation(this WebApplication app)
    {
        app.MapOpenApi();
        app.MapScalarApiReference(ReferencePath, options => options.WithTitle("OrleansSocial API reference"));
        return app;
    }
}
