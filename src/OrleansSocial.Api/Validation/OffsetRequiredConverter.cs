using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansSocial.Api.Errors;

namespace OrleansSocial.Api.Validation;

/// <summary>
/// A point in time a client sends: ISO 8601 with a UTC designator or an offset. A time without one
/// would be read in the server's zone (a different instant on every deployment), so it is refused.
/// </summary>
public sealed class OffsetRequiredConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        if (text is null || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value))
        {
            throw Refused("must be an ISO 8601 date and time with an offset, such as 2026-12-24T09:00:00Z.");
        }

        if (!HasOffset(text))
        {
            throw Refused("must say its offset (Z for UTC, or +01:00 say); a time without one is ambiguous.");
        }

        return value;
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value);

    /// <summary>An ISO 8601 time ends in Z or ±hh:mm (±hhmm); a date part's hyphens come before the 'T'.</summary>
    private static bool HasOffset(string text)
    {
        var time = text.IndexOf('T', StringComparison.OrdinalIgnoreCase);
        if (time < 0)
        {
            return false;
        }

        var tail = text[(time + 1)..];
        return tail.EndsWith('Z') || tail.EndsWith('z') || tail.Contains('+') || tail.Contains('-');
    }

    private static JsonException Refused(string detail)
    {
        var exception = new JsonException(detail);
        exception.Data[BadRequestDescriber.DetailKey] = detail;
        return exception;
    }
}
