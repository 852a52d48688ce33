using System.Globalization;

namespace OrleansSocial.Storage.Documents;

/// <summary>Timestamps as stored: fixed-width UTC ISO 8601, so they compare and sort as text in every engine.</summary>
public static class StoredTime
{
    private const string Format = "yyyy-MM-ddTHH:mm:ss.fffffffZ";

    public static string Of(DateTimeOffset at) => at.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);
}
