using System.Text.Json.Nodes;
using OrleansSocial.GraphEmulator.Graph;

namespace OrleansSocial.GraphEmulator;

/// <summary>
/// Graph over HTTP: <c>/{version}/{path}</c> (version optional) for GET, POST and DELETE. The Instagram
/// Login host is served under the path prefix <c>/graph.instagram.com</c> (or for requests whose Host is
/// graph.instagram.com): configure the client's Instagram base URL as <c>{emulator}/graph.instagram.com</c>.
/// </summary>
internal static class GraphHttp
{
    public const string DefaultVersion = "v25.0";

    public const string InstagramHostName = "graph.instagram.com";

    public static async Task HandleAsync(HttpContext context, GraphDispatcher dispatcher, EmulatorState state)
    {
        var segments = (context.Request.Path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToList();
        var prefixed = segments.Count > 0 && segments[0] == InstagramHostName;
        if (prefixed)
        {
            segments.RemoveAt(0);
        }

        var instagramHost = prefixed || context.Request.Host.Host == InstagramHostName;
        var version = DefaultVersion;
        if (segments.Count > 0 && BatchRunner.VersionPattern().IsMatch(segments[0]))
        {
            version = segments[0];
            segments.RemoveAt(0);
        }

        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in context.Request.Query)
        {
            parameters[key] = value.ToString();
        }

        if (context.Request.HasFormContentType)
        {
            foreach (var (key, value) in await context.Request.ReadFormAsync())
            {
                parameters[key] = value.ToString();
            }
        }

        parameters.Remove("access_token", out var token);
        var authorization = context.Request.Headers.Authorization.ToString();
        if (token is null && authorization.Split(' ', 2) is [var scheme, var credential] && scheme is "Bearer" or "OAuth")
        {
            token = credential.Trim();
        }

        var baseUrl = (state.Options.PublicBaseUrl ?? $"{context.Request.Scheme}://{context.Request.Host}") + (prefixed ? "/" + InstagramHostName : "");
        var request = new GraphRequest(context.Request.Method.ToUpperInvariant(), segments, parameters, token, baseUrl, version) { InstagramHost = instagramHost };
        var result = await dispatcher.HandleAsync(request);
        if (result.DropConnection)
        {
            context.Abort();
            return;
        }

        context.Response.StatusCode = result.Status;
        context.Response.Headers["facebook-api-version"] = version;
        context.Response.Headers["x-fb-trace-id"] = Guid.NewGuid().ToString("N")[..11];
        context.Response.Headers.CacheControl = "private, no-cache, no-store, must-revalidate";
        foreach (var (name, value) in result.Headers)
        {
            context.Response.Headers[name] = value;
        }

        if (result.Body is JsonValue text && text.TryGetValue<string>(out var plain) && result.Status >= 500)
        {
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync(plain);
            return;
        }

        context.Response.ContentType = "application/json; charset=UTF-8";
        await context.Response.WriteAsync(GraphJson.Write(result.Body));
    }
}
