using System.Net.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using OrleansSocial.Webhooks;

namespace OrleansSocial.Api.OpenApi;

/// <summary>
/// The events we send, as OpenAPI describes requests a receiver gets: one entry per event type under
/// the document's top-level <c>webhooks</c>, its body the versioned envelope around the type's data.
/// </summary>
internal static class WebhookDocumentation
{
    public static async Task Describe(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Webhooks ??= new Dictionary<string, IOpenApiPathItem>();
        foreach (var (type, data) in WebhookPayloads.DataTypes)
        {
            var schema = await context.GetOrCreateSchemaAsync(typeof(WebhookEnvelope<>).MakeGenericType(data), null, cancellationToken);
            schema.Description = $"Version {WebhookEvent.Version} of '{type}'. 'id' is unique per event and repeats across retries (it is the webhook-id header): deduplicate on it.";
            document.Webhooks[type] = new OpenApiPathItem
            {
                Operations = new Dictionary<HttpMethod, OpenApiOperation>
                {
                    [HttpMethod.Post] = new OpenApiOperation
                    {
                        OperationId = "webhook_" + type.Replace('.', '_'),
                        Summary = $"The '{type}' event, sent to endpoints subscribed to it",
                        Description = "Signed as Standard Webhooks says (webhook-id, webhook-timestamp, webhook-signature: HMAC-SHA256 with the endpoint's whsec_ secret).",
                        // We call the receiver: no scheme of ours applies; the signature is how it knows the call is ours.
                        Security = [],
                        RequestBody = new OpenApiRequestBody
                        {
                            Required = true,
                            Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new OpenApiMediaType { Schema = schema } },
                        },
                        Responses = new OpenApiResponses
                        {
                            ["200"] = new OpenApiResponse { Description = "Any 2xx acknowledges. 408, 429 and 5xx (and timeouts) are retried with backoff; any other 4xx fails the delivery." },
                        },
                    },
                },
            };
        }
    }
}
