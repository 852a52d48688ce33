using Microsoft.Extensions.Options;
using OrleansSocial.Api.Configuration;
using OrleansSocial.Host.Configuration;
using OrleansSocial.Api.Secrets;
using OrleansSocial.Grains.Secrets;

namespace OrleansSocial.Host.Secrets;

/// <summary>Keys for platform tokens at rest (<c>Secrets</c> section).</summary>
public sealed class SecretsOptions
{
    public const string Section = "Secrets";

    /// <summary><c>keyId:base64key;olderId:base64key</c>, the first current. Unset: generated into the data folder.</summary>
    public string? TokenKeys { get; set; }
}

public static partial class TokenProtectionExtensions
{
    public const string TokenKeysFile = "token-keys";

    /// <summary>The token protector, from Secrets:TokenKeys or, when unset, from a key ring generated once in the data folder.</summary>
    public static IServiceCollection AddTokenProtection(this IServiceCollection services)
    {
        services.AddOptions<SecretsOptions>().BindConfiguration(SecretsOptions.Section);
        services.AddSingleton(provider =>
        {
            var configured = provider.GetRequiredService<IOptions<SecretsOptions>>().Value.TokenKeys;
            if (!string.IsNullOrWhiteSpace(configured))
            {
                try
                {
                    return new TokenProtector(TokenKeyRing.Parse(configured));
                }
                catch (FormatException exception)
                {
                    throw new OptionsValidationException("Secrets:TokenKeys", typeof(SecretsOptions), [$"Secrets:TokenKeys: {exception.Message}"]);
                }
            }

            var folder = provider.GetRequiredService<IOptions<DataOptions>>().Value.FullPath;
            Directory.CreateDirectory(folder);
            var file = Path.Combine(folder, TokenKeysFile);
            if (!File.Exists(file))
            {
                OwnerOnlyFile.CreateNew(file, TokenKeyRing.NewEntry("k" + DateTime.UtcNow.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture)) + "\n");
                LogGenerated(provider.GetRequiredService<ILogger<TokenProtector>>(), file);
            }

            return new TokenProtector(TokenKeyRing.Parse(File.ReadAllText(file)));
        });
        return services;
    }

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "Generated the token encryption key ring in {KeyFile} (owner-only); back it up: tokens stored with it cannot be read without it")]
    private static partial void LogGenerated(ILogger logger, string keyFile);
}
