using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansSocial.Host.Secrets;
using OrleansSocial.Grains.Secrets;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Secrets;

public sealed class TokenKeyHostingTests
{
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_default_profile_generates_an_owner_only_key_ring_that_survives_a_restart()
    {
        using var data = new TempFolder();
        ProtectedToken stored;
        await using (var first = new ApiHost(data.Path))
        {
            first.CreateHttpClient();
            var file = Path.Combine(data.Path, TokenProtectionExtensions.TokenKeysFile);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            stored = first.Services.GetRequiredService<TokenProtector>().Protect("EAA-secret-page-token", "acme", "fb-1");
            var keyMaterial = (await File.ReadAllTextAsync(file)).Split(':')[1].Trim();
            Assert.DoesNotContain(first.Logs.Lines, line => line.Contains(keyMaterial, StringComparison.Ordinal));
        }

        await using var second = new ApiHost(data.Path);
        second.CreateHttpClient();
        Assert.Equal("EAA-secret-page-token", second.Services.GetRequiredService<TokenProtector>().Unprotect(stored, "acme", "fb-1"));
    }

    [Fact]
    public void A_malformed_configured_key_ring_stops_the_host_naming_the_key()
    {
        using var data = new TempFolder();
        using var host = new ApiHost(data.Path, new Dictionary<string, string?> { ["Secrets:TokenKeys"] = "k1:AAAA" });

        var error = Assert.ThrowsAny<Exception>(() => host.CreateHttpClient());

        var validation = error as OptionsValidationException ?? error.InnerException as OptionsValidationException;
        Assert.NotNull(validation);
        Assert.Contains("Secrets:TokenKeys", validation.Message);
        Assert.False(File.Exists(Path.Combine(data.Path, TokenProtectionExtensions.TokenKeysFile)));
    }
}
