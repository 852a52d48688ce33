using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OrleansSocial.GraphEmulator.World;

/// <summary>
/// Tokens that carry their own claims: <c>{prefix}{base64url(claims)}.{base64url(HMAC-SHA256)}</c>.
/// Opaque to clients, as Facebook's are; the emulator verifies the signature instead of remembering.
/// </summary>
internal static class SignedTokens
{
    /// <summary>Instagram Login's long-lived tokens (Instagram's begin IGAA as Facebook's begin EAA).</summary>
    public const string InstagramPrefix = "IGAA";

    public static string Write(string prefix, TokenInfo claims, string nonce, byte[] key)
    {
        var payload = string.Join('|', (int)claims.Type, claims.UserId, claims.PageId ?? "", claims.IssuedAt.ToUnixTimeSeconds(),
            claims.ExpiresAt?.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) ?? "", claims.LongLived ? 1 : 0, nonce);
        var body = prefix + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload));
        return body + "." + Base64Url.EncodeToString(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(body)));
    }

    public static TokenInfo? Read(string token, byte[] key)
    {
        var dot = token.LastIndexOf('.');
        if (token.Length is < 5 or > 512 || dot < 5 || !(token.StartsWith("EAAL", StringComparison.Ordinal) || token.StartsWith("EAAP", StringComparison.Ordinal) || token.StartsWith(InstagramPrefix, StringComparison.Ordinal)))
        {
            return null;
        }

        var body = token[..dot];
        try
        {
            var expected = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(body));
            if (!CryptographicOperations.FixedTimeEquals(expected, Base64Url.DecodeFromChars(token.AsSpan(dot + 1))))
            {
                return null;
            }

            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(body.AsSpan(4))).Split('|');
            return new TokenInfo(token, (TokenType)int.Parse(parts[0], CultureInfo.InvariantCulture), parts[1], parts[2].Length == 0 ? null : parts[2],
                DateTimeOffset.FromUnixTimeSeconds(long.Parse(parts[3], CultureInfo.InvariantCulture)),
                parts[4].Length == 0 ? null : DateTimeOffset.FromUnixTimeSeconds(long.Parse(parts[4], CultureInfo.InvariantCulture)),
                parts[5] == "1");
        }
        catch (Exception exception) when (exception is FormatException or IndexOutOfRangeException or OverflowException)
        {
            return null;
        }
    }
}
