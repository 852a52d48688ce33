namespace OrleansSocial.Api.Errors;

/// <summary>
/// Kestrel answers an over-long request line (414) or header block (431) itself, with an empty
/// body, before any middleware runs. So Kestrel's own limits sit at twice ours and this check
/// refuses at ours with problem details. Only requests past Kestrel's doubled limits, and bytes
/// that are not HTTP at all, still get Kestrel's bare answer: nothing in the app sees those.
/// </summary>
internal static class RequestSizeLimits
{
    public const int MaxRequestTargetBytes = 8 * 1024;
    public const int MaxHeaderBytes = 32 * 1024;
    public const int KestrelRequestLineBytes = 2 * MaxRequestTargetBytes;
    public const int KestrelHeaderBytes = 2 * MaxHeaderBytes;

    public static WebApplication UseRequestSizeLimits(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            var target = request.PathBase.Value!.Length + request.Path.Value!.Length + request.QueryString.Value!.Length;
            if (target > MaxRequestTargetBytes)
            {
                await WriteAsync(context, StatusCodes.Status414UriTooLong, "https://tools.ietf.org/html/rfc9110#section-15.5.15", "URI too long", $"The request target may be at most {MaxRequestTargetBytes} bytes.");
                return;
            }

            var headers = 0;
            foreach (var (name, values) in request.Headers)
            {
                headers += name.Length + 4;
                foreach (var value in values)
                {
                    headers += value?.Length ?? 0;
                }
            }

            if (headers > MaxHeaderBytes)
            {
                await WriteAsync(context, StatusCodes.Status431RequestHeaderFieldsTooLarge, "https://tools.ietf.org/html/rfc6585#section-5", "Request headers too large", $"The request headers may be at most {MaxHeaderBytes} bytes in all.");
                return;
            }

            await next(context);
        });
        return app;
    }

    private static Task WriteAsync(HttpContext context, int status, string type, string title, string detail)
    {
        context.Response.StatusCode = status;
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Type = type, Title = title, Detail = detail },
        }).AsTask();
    }
}
