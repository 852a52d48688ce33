using System.Net;
using System.Net.Http.Headers;
using OrleansSocial.Api.Operators;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Hosting;

public sealed class OperatorKeyTests
{
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Generated_key_is_owner_only_works_and_never_reaches_a_log()
    {
        using var data = new TempFolder();
        await using var host = new ApiHost(data.Path);
        using var client = host.CreateHttpClient();

        var keyFile = Path.Combine(data.Path, OperatorKey.KeyFileName);
        var key = (await File.ReadAllTextAsync(keyFile)).Trim();
        Assert.True(key.Length >= 43, "a 256-bit key encodes to at least 43 characters");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(data.Path, OperatorKey.HashFileName)));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/dashboard/");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(request)).StatusCode);

        Assert.Contains(host.Logs.Lines, line => line.Contains(keyFile, StringComparison.Ordinal));
        Assert.DoesNotContain(host.Logs.Lines, line => line.Contains(key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Restart_keeps_the_generated_key_even_after_the_key_file_is_deleted()
    {
        using var data = new TempFolder();
        string key;
        await using (var first = new ApiHost(data.Path))
        {
            first.CreateHttpClient();
            key = (await File.ReadAllTextAsync(Path.Combine(data.Path, OperatorKey.KeyFileName))).Trim();
        }

        // The operator copied the key and removed the plaintext file, as the log asks.
        File.Delete(Path.Combine(data.Path, OperatorKey.KeyFileName));

        await using var second = new ApiHost(data.Path);
        using var client = second.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/dashboard/");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(request)).StatusCode);
        Assert.False(File.Exists(Path.Combine(data.Path, OperatorKey.KeyFileName)));
    }
}
