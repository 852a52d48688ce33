using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace OrleansSocial.Grains.Secrets;

/// <summary>An encrypted token as stored: the key id beside the ciphertext so keys can rotate.</summary>
public sealed record ProtectedToken(string KeyId, string Nonce, string Ciphertext, string Tag);

/// <summary>
/// Encrypts platform tokens at rest with AES-256-GCM. The tenant and channel ids are the
/// associated data: a ciphertext copied to another channel or tenant does not decrypt. New
/// tokens use the current key; older key ids keep decrypting until they are retired.
/// </summary>
public sealed class TokenProtector
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly IReadOnlyDictionary<string, byte[]> _keys;
    private readonly string _currentKeyId;

    public TokenProtector(TokenKeyRing ring)
    {
        if (ring.Keys.Count == 0 || !ring.Keys.ContainsKey(ring.CurrentKeyId))
        {
            throw new ArgumentException("The token key ring needs a current key.", nameof(ring));
        }

        if (ring.Keys.Values.Any(k => k.Length != 32))
        {
            throw new ArgumentException("Token keys are 256-bit (32 bytes).", nameof(ring));
        }

        _keys = ring.Keys;
        _currentKeyId = ring.CurrentKeyId;
    }

    public ProtectedToken Protect(string token, string tenantId, string channelId)
    {
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        var plaintext = Encoding.UTF8.GetBytes(token);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[TagSize];
        using (var aes = new AesGcm(_keys[_currentKeyId], TagSize))
        {
            aes.Encrypt(nonce, plaintext, ciphertext, tag, AssociatedData(tenantId, channelId));
        }

        CryptographicOperations.ZeroMemory(plaintext);
        return new ProtectedToken(_currentKeyId, Base64Url.EncodeToString(nonce), Base64Url.EncodeToString(ciphertext), Base64Url.EncodeToString(tag));
    }

    /// <summary>Throws <see cref="TokenProtectionException"/> for an unknown key, another binding, or any tampering; the message never holds the token.</summary>
    public string Unprotect(ProtectedToken value, string tenantId, string channelId)
    {
        if (!_keys.TryGetValue(value.KeyId, out var key))
        {
            throw new TokenProtectionException($"Token key '{value.KeyId}' is not in the key ring.");
        }

        try
        {
            var ciphertext = Base64Url.DecodeFromChars(value.Ciphertext);
            var plaintext = new byte[ciphertext.Length];
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(Base64Url.DecodeFromChars(value.Nonce), ciphertext, Base64Url.DecodeFromChars(value.Tag), plaintext, AssociatedData(tenantId, channelId));
            return Encoding.UTF8.GetString(plaintext);
        }
        catch (Exception exception) when (exception is CryptographicException or FormatException or ArgumentException)
        {
            throw new TokenProtectionException("The stored token does not decrypt for this tenant and channel.");
        }
    }

    /// <summary>True when the value was encrypted with a key that is no longer current: re-protect it.</summary>
    public bool NeedsRotation(ProtectedToken value) => value.KeyId != _currentKeyId;

    private static byte[] AssociatedData(string tenantId, string channelId) =>
        Encoding.UTF8.GetBytes($"orleans-social/token/v1\n{tenantId}\n{channelId}");
}

public sealed class TokenProtectionException(string message) : Exception(message);

/// <summary>The token keys by id, and which one encrypts new tokens.</summary>
public sealed record TokenKeyRing(string CurrentKeyId, IReadOnlyDictionary<string, byte[]> Keys)
{
    /// <summary>
    /// Reads a ring from configuration text: <c>keyId:base64key</c> entries separated by ';', the
    /// first one current. Values never appear in an exception message.
    /// </summary>
    public static TokenKeyRing Parse(string text)
    {
        var keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        string? current = null;
        foreach (var entry in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = entry.IndexOf(':');
            if (colon <= 0)
            {
                throw new FormatException("Each token key is written 'keyId:base64key'.");
            }

            var id = entry[..colon];
            byte[] key;
            try
            {
                key = Convert.FromBase64String(entry[(colon + 1)..]);
            }
            catch (FormatException)
            {
                throw new FormatException($"Token key '{id}' is not base64.");
            }

            if (key.Length != 32)
            {
                throw new FormatException($"Token key '{id}' must be 32 bytes (256 bits).");
            }

            keys[id] = key;
            current ??= id;
        }

        return current is null ? throw new FormatException("No token key was given.") : new TokenKeyRing(current, keys);
    }

    public static string NewEntry(string keyId) => $"{keyId}:{Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}";
}
