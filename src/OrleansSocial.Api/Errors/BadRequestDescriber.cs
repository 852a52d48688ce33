using System.Text.Json;
using System.Text.RegularExpressions;

namespace OrleansSocial.Api.Errors;

/// <summary>
/// Turns the framework's request-reading failures into a detail a client can act on:
/// which field was unknown, mistyped or missing. Type names and input echoes stay out.
/// </summary>
internal static partial class BadRequestDescriber
{
    /// <summary>Set in a converter's <c>Exception.Data</c>: the detail to show instead of a generic one.</summary>
    public const string DetailKey = "OrleansSocial.Detail";

    public static (string Title, string Detail) Describe(BadHttpRequestException exception) => exception.StatusCode switch
    {
        StatusCodes.Status413PayloadTooLarge => ("Request body too large", "The request body exceeds the size this API accepts."),
        StatusCodes.Status415UnsupportedMediaType => ("Unsupported media type", "Send the body as 'Content-Type: application/json'."),
        _ when FindJsonException(exception) is { } json => ("Invalid request body", DescribeJson(json)),
        _ when exception.Message.Contains("no body was provided", StringComparison.OrdinalIgnoreCase)
            => ("Invalid request body", "A JSON request body is required."),
        _ => ("Bad request", "The request could not be read."),
    };

    private static JsonException? FindJsonException(Exception exception)
    {
        for (var e = exception.InnerException; e is not null; e = e.InnerException)
        {
            if (e is JsonException json)
            {
                return json;
            }
        }

        return null;
    }

    /// <summary>The body field a JSON failure is about, when it names one.</summary>
    public static string? Field(BadHttpRequestException exception) =>
        FindJsonException(exception) is { } json && FieldName(json.Path) is { Length: > 0 } field ? field : null;

    private static string DescribeJson(JsonException json)
    {
        var field = FieldName(json.Path);
        if (json.Data[DetailKey] is string detail)
        {
            return $"{field}: {detail}";
        }

        var message = json.Message;
        if (message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
        {
            return $"Unknown field '{field}'.";
        }

        if (MissingRequired().Match(message) is { Success: true } missing)
        {
            return $"Missing required field(s): {missing.Groups[1].Value}.";
        }

        if (message.Contains("could not be converted", StringComparison.Ordinal) && field.Length > 0)
        {
            return $"Field '{field}' has the wrong type.";
        }

        return json.LineNumber is { } line
            ? $"The body is not valid JSON (line {line + 1}, position {json.BytePositionInLine + 1})."
            : "The body is not valid JSON.";
    }

    /// <summary>"$.channels[0].name" becomes "channels[0].name"; the root becomes "".</summary>
    private static string FieldName(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;

    [GeneratedRegex("missing required properties including: (.+?)\\.?$", RegexOptions.CultureInvariant)]
    private static partial Regex MissingRequired();
}
