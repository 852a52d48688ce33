using System.Text;
using Orleans.Dashboard;
using OrleansSocial.Api.Operators;

namespace OrleansSocial.Api.Extensions;

/// <summary>The Orleans Dashboard at <c>/dashboard</c>, for operators only.</summary>
internal static class DashboardExtensions
{
    public const string Path = "/dashboard";

    public static WebApplication MapDashboard(this WebApplication app)
    {
        // The dashboard's own routes are for its page, not for API clients: kept out of the contract.
        app.MapOrleansDashboard(Path).RequireAuthorization(OperatorAuthenticationHandler.PolicyName).ExcludeFromDescription();
        return app;
    }

    /// <summary>Dashboard routes whose last segment is a silo address the dashboard parses without checking.</summary>
    private static readonly string[] SiloAddressRoutes = ["HistoricalStats", "SiloProperties", "SiloMetadata", "SiloStats", "SiloCounters"];

    /// <summary>
    /// The dashboard turns a malformed silo address into a failed grain activation and a 500.
    /// Checked here first: 400 naming the address segment. Runs after authorization, so only operators get this far.
    /// </summary>
    public static WebApplication UseDashboardAddressGuard(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments(Path, out var rest) && rest.Value is { Length: > 1 } value)
            {
                var segments = value.TrimStart('/').Split('/', 2);
                if (segments.Length == 2 && SiloAddressRoutes.Contains(segments[0], StringComparer.OrdinalIgnoreCase) && !IsSiloAddress(Uri.UnescapeDataString(segments[1])))
                {
                    context.Response.StatusCode = StatusCodes.Status400BadRequest;
                    await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                    {
                        HttpContext = context,
                        ProblemDetails =
                        {
                            Status = StatusCodes.Status400BadRequest,
                            Title = "Invalid silo address",
                            Detail = "The last path segment must be a silo address as the dashboard lists them (S{ip}:{port}:{generation}).",
                            Extensions = { ["field"] = "address" },
                        },
                    });
                    return;
                }
            }

            await next(context);
        });
        return app;
    }

    private static bool IsSiloAddress(string text)
    {
        try
        {
            Orleans.Runtime.SiloAddress.FromParsableString(text);
            return true;
        }
        catch (Exception exception) when (exception is FormatException or ArgumentException or IndexOutOfRangeException or OverflowException)
        {
            return false;
        }
    }

    /// <summary>
    /// The dashboard lives at <c>/dashboard/</c> and redirects the bare path there. Probes and
    /// bookmarks that ask for <c>/dashboard</c> get the page itself instead: the request is
    /// served as <c>/dashboard/</c> and the page gets a base URL so its relative assets resolve.
    /// Runs before routing so the rewritten path is the one routed and authorised.
    /// </summary>
    public static WebApplication UseDashboardWithoutTrailingSlash(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (!HttpMethods.IsGet(context.Request.Method) || !string.Equals(context.Request.Path.Value, Path, StringComparison.OrdinalIgnoreCase))
            {
                await next(context);
                return;
            }

            context.Request.Path = Path + "/";
            context.Request.Headers.AcceptEncoding = "identity";
            var original = context.Response.Body;
            using var buffer = new MemoryStream();
            context.Response.Body = buffer;
            try
            {
                await next(context);
            }
            finally
            {
                context.Response.Body = original;
            }

            var body = buffer.ToArray();
            if (context.Response.StatusCode == StatusCodes.Status200OK && context.Response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true)
            {
                var html = Encoding.UTF8.GetString(body);
                var head = html.IndexOf("<head>", StringComparison.OrdinalIgnoreCase);
                if (head >= 0)
                {
                    html = html.Insert(head + "<head>".Length, $"<base href=\"{Path}/\">");
                }

                body = Encoding.UTF8.GetBytes(html);
            }

            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        });
        return app;
    }
}
