using System.Text.Json;

namespace OrleansSocial.Graph;

public enum GraphErrorKind
{
    /// <summary>Temporary: safe to retry later (codes 1, 2, is_transient, 5xx without an envelope, timeouts).</summary>
    Transient,

    /// <summary>A rate limit (4, 17, 32, 341, 613, 9, 80000-80099): pause until <see cref="GraphException.RegainAfter"/>, never loop.</summary>
    Throttled,

    /// <summary>Token expired, revoked or invalid (190 and its subcodes, 102): the channel needs re-authorisation.</summary>
    TokenInvalid,

    /// <summary>A permission is missing (10, 200-299, 3).</summary>
    PermissionMissing,

    /// <summary>The request is wrong (100 and friends): fix it, drop the metric, skip the object.</summary>
    InvalidRequest,

    Unknown,
}

/// <summary>
/// A Graph error, classified from the body's envelope, never from the HTTP status alone.
/// The message is Graph's own text; no token, URL or request parameter is ever put in it.
/// </summary>
public sealed class GraphException : Exception
{
    public GraphException(GraphErrorKind kind, string message, int? code, int? subcode, string? fbTraceId, bool isTransient, int httpStatus, GraphUsage usage, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
        Code = code;
        Subcode = subcode;
        FbTraceId = fbTraceId;
        IsTransient = isTransient;
        HttpStatus = httpStatus;
        Usage = usage;
    }

    public GraphErrorKind Kind { get; }

    public int? Code { get; }

    public int? Subcode { get; }

    public string? FbTraceId { get; }

    public bool IsTransient { get; }

    public int HttpStatus { get; }

    public GraphUsage Usage { get; }

    /// <summary>For throttling: when the bucket is expected to accept calls again (from the usage headers), if known.</summary>
    public TimeSpan? RegainAfter => Kind == GraphErrorKind.Throttled && Usage.RegainAfter > TimeSpan.Zero ? Usage.RegainAfter : null;

    /// <summary>
    /// A failed write may still have happened: Graph failed or the answer was lost (a transient error, a
    /// 5xx, no answer at all) rather than Graph refusing it. Such a write is read back before it is sent again.
    /// </summary>
    public bool WriteOutcomeUnknown => Kind == GraphErrorKind.Transient || (Kind == GraphErrorKind.Unknown && (HttpStatus >= 500 || HttpStatus == 0));

    public bool IsInvalidMetric => Code == 100 && Message.Contains("valid insights metric", StringComparison.OrdinalIgnoreCase);

    public static GraphErrorKind Classify(int? code, bool isTransient) => code switch
    {
        4 or 17 or 32 or 341 or 613 or 9 or (>= 80000 and <= 80099) => GraphErrorKind.Throttled,
        190 or 102 => GraphErrorKind.TokenInvalid,
        1 or 2 => GraphErrorKind.Transient,
        10 or 3 or (>= 200 and <= 299) => GraphErrorKind.PermissionMissing,
        100 or 101 or 104 or 506 or 3001 or 1609005 or 2500 or 9007 or 36000 => GraphErrorKind.InvalidRequest,
        _ when isTransient => GraphErrorKind.Transient,
        _ => GraphErrorKind.Unknown,
    };

    /// <summary>Reads an error envelope (or its old OAuth-dialog form); null when the body holds none.</summary>
    public static GraphException? FromBody(string body, int httpStatus, GraphUsage usage)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(body);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return httpStatus >= 500 || httpStatus == 429
                ? new GraphException(GraphErrorKind.Transient, $"Graph answered HTTP {httpStatus} without an error envelope.", null, null, null, true, httpStatus, usage)
                : httpStatus >= 400 ? new GraphException(GraphErrorKind.Unknown, $"Graph answered HTTP {httpStatus} without an error envelope.", null, null, null, false, httpStatus, usage) : null;
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
        {
            var code = Int(error, "code");
            var transient = error.TryGetProperty("is_transient", out var t) && t.ValueKind == JsonValueKind.True;
            var message = error.TryGetProperty("message", out var m) ? m.GetString() ?? "" : "";
            var trace = error.TryGetProperty("fbtrace_id", out var f) ? f.GetString() : null;
            return new GraphException(Classify(code, transient), message, code, Int(error, "error_subcode"), trace, transient, httpStatus, usage);
        }

        if (root.TryGetProperty("error_type", out _) || root.TryGetProperty("error_message", out _))
        {
            var code = Int(root, "code");
            var message = root.TryGetProperty("error_message", out var m) ? m.GetString() ?? "" : "";
            return new GraphException(Classify(code, false), message, code, null, null, false, httpStatus, usage);
        }

        return httpStatus >= 400
            ? new GraphException(httpStatus >= 500 ? GraphErrorKind.Transient : GraphErrorKind.Unknown, $"Graph answered HTTP {httpStatus}.", null, null, null, httpStatus >= 500, httpStatus, usage)
            : null;
    }

    private static int? Int(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value)
            ? value.ValueKind == JsonValueKind.Number ? value.GetInt32() : int.TryParse(value.GetString(), out var parsed) ? parsed : null
            : null;
}
