using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace OrleansSocial.Tenancy;

/// <summary>
/// Member API keys: <c>osk.{tenantId}.{keyId}.{secret}</c> with a 256-bit secret. The tenant id
/// inside the key lets the front tell "a valid key of another tenant" (403) from "no valid
/// key" (401) by asking that tenant's grain, without any index shared across tenants.
/// Stored as SHA-256: the secret is random and long, so a slow hash would add nothing.
/// </summary>
public static class ApiKeys
{
    private const string Prefix = "osk";

    public sealed record Issued(string KeyId, string Key, string Hash);

    public static Issued Issue(string tenantId)
    {
        var keyId = "k" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var secret = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var key = $"{Prefix}.{tenantId}.{keyId}.{secret}";
        return new Issued(keyId, key, Hash(key));
    }

    /// <summary>The tenant and key id a key claims, or null when it is not shaped like one of ours.</summary>
    public static (string TenantId, string KeyId)? Parse(string? key)
    {
        if (string.IsNullOrEmpty(key) || key.Length > 200)
        {
            return null;
        }

        var parts = key.Split('.');
        return parts is [Prefix, var tenant, var keyId, { Length: >= 43 }] && tenant.Length > 0 && keyId.Length > 0
            ? (tenant, keyId)
            : null;
    }

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static bool Matches(string key, string storedHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(key)), Encoding.ASCII.GetBytes(storedHash));
}
