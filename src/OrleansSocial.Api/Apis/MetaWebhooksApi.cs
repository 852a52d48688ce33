using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using OrleansSocial.Api.Meta;
using OrleansSocial.Inbox;

namespace OrleansSocial.Api.Apis;

/// <summary>
/// Meta's real-time updates (docs/graph-conversations.md, "Meta's webhooks"). No tenant header and no key: the handshake
/// proves the verify token, each notification its signature. A notification is answered 200 only once
/// it is recorded durably (nothing else happens before the answer), so whatever we did not take, Meta
/// sends again; routing to tenants happens after, in the grains.
/// </summary>
public static partial class MetaWebhooksApi
{
    public static IEndpointRouteBuilder MapMetaWebhooksApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/webhooks/meta").WithTags("Meta webhooks").AllowAnonymous();
        group.MapGet("/", Handshake).WithSummary("Meta's subscription handshake: echoes hub.challenge when hub.verify_token matches Graph:WebhookVerifyToken")
            .Produces<string>(StatusCodes.Status200OK, "text/plain").ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapPost("/", ReceiveAsync).WithSummary("A notification signed with X-Hub-Signature-256: 200 once it is recorded; 401 when the signature is missing or wrong")
            .Produces(StatusCodes.Status200OK).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        return routes;
    }

    public static IResult Handshake(
        [FromQuery(Name = "hub.mode")] string? mode, [FromQuery(Name = "hub.verify_token")] string? verifyToken, [FromQuery(Name = "hub.challenge")] string? challenge,
        IOptions<MetaWebhookOptions> options, ILoggerFactory loggers)
    {
        if (options.Value.WebhookVerifyToken is not { Length: > 0 } expected || mode != "subscribe" || !MetaSignature.SameSecret(verifyToken, expected)
            || challenge is not { Length: > 0 and <= 64 } || !challenge.All(char.IsAsciiDigit))
        {
            LogHandshakeRefused(loggers.CreateLogger(typeof(MetaWebhooksApi)));
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                detail: "hub.mode must be subscribe, hub.verify_token must match, and hub.challenge must be a number.");
        }

        return TypedResults.Text(challenge, "text/plain");
    }

    public static async Task<IResult> ReceiveAsync(HttpContext context, IOptions<MetaWebhookOptions> options, IGrainFactory grains, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(MetaWebhooksApi));
        var settings = options.Value;
        // Meta batches up to 1000 changes: this route has its own bound instead of the API's (Api:MaxRequestBodyBytes).
        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = settings.MaxBodyBytes + 1L;
        }

        var body = await ReadBoundedAsync(context.Request, settings.MaxBodyBytes);
        if (body is null)
        {
            MetaWebhookMetrics.Refuse("too_large");
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload Too Large", detail: $"A notification may be at most {settings.MaxBodyBytes} bytes.");
        }

        var signature = context.Request.Headers[MetaSignature.Header].ToString();
        if (settings.AppSecret is not { Length: > 0 } secret || !MetaSignature.IsValid(signature.Length == 0 ? null : signature, body, secret))
        {
            var reason = settings.AppSecret is not { Length: > 0 } ? "no_app_secret" : signature.Length == 0 ? "unsigned" : "bad_signature";
            MetaWebhookMetrics.Refuse(reason);
            LogRefused(logger, reason, body.Length, context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
                detail: $"{MetaSignature.Header} must be sha256= and the HMAC-SHA256 of the body keyed by the app secret.");
        }

        await grains.GetGrain<IMetaEventsGrain>(0).Record(body);
        MetaWebhookMetrics.Took();
        return TypedResults.Ok();
    }

    /// <summary>The raw bytes, or null when the body is larger than <paramref name="max"/>.</summary>
    private static async Task<byte[]?> ReadBoundedAsync(HttpRequest request, int max)
    {
        if (request.ContentLength > max)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > max)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    [LoggerMessage(EventId = 700, Level = LogLevel.Warning, Message = "Meta webhook refused ({Reason}): {Bytes} bytes from {Address}; nothing recorded")]
    private static partial void LogRefused(ILogger logger, string reason, int bytes, string address);

    [LoggerMessage(EventId = 701, Level = LogLevel.Warning, Message = "Meta webhook handshake refused: wrong mode, verify token or challenge")]
    private static partial void LogHandshakeRefused(ILogger logger);
}
