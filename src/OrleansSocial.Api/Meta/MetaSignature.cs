using System.Security.Cryptography;
using System.Text;

namespace OrleansSocial.Api.Meta;

/// <summary>
/// <c>X-Hub-Signature-256: sha256=&lt;hex HMAC-SHA256 of the raw body, keyed by the app secret&gt;</c>, checked
/// over the bytes received (never re-serialised JSON) and compared in constant time.
/// </summary>
public static class MetaSignature
{
    public const string Header = "X-Hub-Signature-256";
    private const string Prefix = "sha256=";

    public static bool IsValid(string? header, ReadOnlySpan<byte> body, string appSecret)
    {
        if (header is null || !header.StartsWith(Prefix, StringComparison.Ordinal) || header.Length != Prefix.Length + 64)
        {
            return false;
        }

        byte[] claimed;
        try
        {
            claimed = Convert.FromHexString(header.AsSpan(Prefix.Length));
        }
        catch (FormatException)
        {
            return false;
        }

        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(appSecret), body);
        return CryptographicOperations.FixedTimeEquals(expected, claimed);
    }

    /// <summary>Whether two secrets are equal, in time that does not depend on where they differ.</summary>
    public static bool SameSecret(string? given, string expected) =>
        given is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));
}
