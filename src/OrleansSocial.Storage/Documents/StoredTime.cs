using System.Globalization;

namespace OrleansSocial.Storage.Documents;

/// <summary>Timestamps as stored: fixed-width UTC ISO 8601, so they compare and sort as text in every engine.</summary>
public static class StoredTime
{
    private const string Format = "yyyy-MM-ddTHH:mm:ss.fffffffZ";

    public static string Of(DateTimeOffset at) => at.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    /// <summary>Reads back exactly what <see cref="Of"/> writes, nothing else.</summary>
    public static bool TryParse(string text, out DateTimeOffset at) =>
        DateTimeOffset.TryParseExact(text, Format, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out at);
}
