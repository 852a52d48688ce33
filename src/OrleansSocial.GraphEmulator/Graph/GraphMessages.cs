using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace OrleansSocial.GraphEmulator.Graph;

/// <summary>
/// One Graph call, from HTTP or from a batch operation: path segments after the version and merged
/// parameters. <see cref="InstagramHost"/>: it came to the Instagram Login host (graph.instagram.com).
/// </summary>
public sealed record GraphRequest(string Method, IReadOnlyList<string> Segments, IReadOnlyDictionary<string, string> Parameters, string? Token, string BaseUrl, string Version)
{
    public bool InstagramHost { get; init; }

    public string? this[string name] => Parameters.TryGetValue(name, out var value) ? value : null;

    public string Endpoint => (InstagramHost ? "ig:" : "") + Segments.Count switch
    {
        0 => "/",
        1 => Segments[0] is "me" or "debug_token" or "access_token" or "refresh_access_token" ? Segments[0] : "{id}",
        _ => Segments[0] == "oauth" ? "oauth/" + Segments[1] : $"{(Segments[0] == "me" ? "me" : "{id}")}/{Segments[1]}",
    };
}

public sealed class GraphResult(int status, JsonNode body)
{
    public int Status { get; } = status;

    public JsonNode Body { get; } = body;

    public List<(string Name, string Value)> Headers { get; } = [];

    /// <summary>The request was processed, and then the connection is dropped before the answer (an injected fault).</summary>
    public bool DropConnection { get; set; }

    public static GraphResult Ok(JsonNode body) => new(200, body);
}

/// <summary>Graph's error envelope, with the status, type and transience the real API uses for each code.</summary>
public static class GraphErrors
{
    public static GraphResult Error(int code, string message, int? subcode = null, string type = "OAuthException", bool? transient = null, int? status = null, string? userTitle = null)
    {
        var error = new JsonObject
        {
            ["message"] = message.StartsWith('(') || code == 190 ? message : $"(#{code}) {message}",
            ["type"] = type,
            ["code"] = code,
        };
        if (subcode is not null)
        {
            error["error_subcode"] = subcode;
        }

        if (transient is not null)
        {
            error["is_transient"] = transient;
        }

        if (userTitle is not null)
        {
            error["error_user_title"] = userTitle;
        }

        error["fbtrace_id"] = TraceId();
        return new GraphResult(status ?? (code is 1 or 2 ? 500 : 400), new JsonObject { ["error"] = error });
    }

    public static GraphResult NotFound(string id) =>
        Error(100, $"Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation", 33, "GraphMethodException");

    public static GraphResult UnsupportedPath() => Error(2500, "Unknown path components", type: "IGApiException");

    public static GraphResult BadToken(int? subcode, string message) => Error(190, message, subcode);

    public static GraphResult Throttled(string kind) => kind switch
    {
        "app" => Error(4, "Application request limit reached", transient: true),
        "pages" => Error(80001, "There have been too many calls to this Page account. Wait a bit and try again."),
        _ => Error(80002, "There have been too many calls to this Instagram account. Wait a bit and try again."),
    };

    public static GraphResult InvalidMetric() => Error(100, "The value must be a valid insights metric");

    public static GraphResult MissingParameter(string name) => Error(100, $"The parameter {name} is required");

    private static string TraceId()
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        return string.Create(16, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
            }
        });
    }
}
