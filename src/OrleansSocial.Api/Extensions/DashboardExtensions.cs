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
        app.MapOrleansDashboard(Path).RequireAuthorization(OperatorAuthenticationHandler.PolicyName);
        return app;
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
