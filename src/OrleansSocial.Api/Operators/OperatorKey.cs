using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using OrleansSocial.Api.Configuration;
using OrleansSocial.Api.Logging;
using OrleansSocial.Api.Secrets;

namespace OrleansSocial.Api.Operators;

/// <summary>
/// Verifies the operator key. The host holds only its SHA-256: either of the configured
/// key, or of a key generated at first start. A generated key is written once to an
/// owner-only file for the operator to pick up; the host never reads that file back.
/// </summary>
public sealed class OperatorKey
{
    public const string KeyFileName = "operator-key";
    public const string HashFileName = "operator-key.sha256";

    private readonly byte[] _hash;

    private OperatorKey(byte[] hash) => _hash = hash;

    public bool Matches(string presented) =>
        CryptographicOperations.FixedTimeEquals(Hash(presented), _hash);

    internal static OperatorKey Create(IOptions<OperatorOptions> options, IOptions<DataOptions> data, ILogger<OperatorKey> logger)
    {
        if (!string.IsNullOrEmpty(options.Value.ApiKey))
        {
            HostLog.OperatorKeyConfigured(logger);
            return new OperatorKey(Hash(options.Value.ApiKey));
        }

        var folder = data.Value.FullPath;
        Directory.CreateDirectory(folder);
        var hashFile = Path.Combine(folder, HashFileName);
        if (File.Exists(hashFile))
        {
            HostLog.OperatorKeyLoaded(logger, hashFile);
            return new OperatorKey(Convert.FromHexString(File.ReadAllText(hashFile).Trim()));
        }

        var key = "osk_op_" + System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var hash = Hash(key);
        var keyFile = Path.Combine(folder, KeyFileName);
        OwnerOnlyFile.CreateNew(keyFile, key + "\n");
        OwnerOnlyFile.CreateNew(hashFile, Convert.ToHexString(hash) + "\n");
        HostLog.OperatorKeyGenerated(logger, keyFile, hashFile);
        return new OperatorKey(hash);
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
