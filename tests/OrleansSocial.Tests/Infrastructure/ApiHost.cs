using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrleansSocial.Tests.Infrastructure;

/// <summary>
/// The real host (<c>Program</c>) in-process on real Kestrel and a real loopback port, with
/// its own data folder and silo port so several hosts can run side by side.
/// </summary>
public sealed class ApiHost : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    public ApiHost(string dataPath, IDictionary<string, string?>? settings = null)
    {
        DataPath = dataPath;
        Port = FreePort.Next();
        _settings = new Dictionary<string, string?>
        {
            ["Data:Path"] = dataPath,
            ["Orleans:SiloPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Orleans:ClusterId"] = "test-" + Guid.NewGuid().ToString("N")[..8],
            // No load balancer to drain in tests (the drain itself has its own test).
            ["Api:ShutdownDrainDelay"] = "00:00:00",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }

        UseKestrel(Port);
    }

    public string DataPath { get; }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    /// <summary>Every log line the host wrote, for tests that look for leaks.</summary>
    public CapturedLogs Logs { get; } = new();

    public HttpClient CreateHttpClient(bool followRedirects = false)
    {
        StartServer();
        // UTF-8 header values, so tests can send what hostile clients send (e.g. full-width tenant ids).
        var handler = new SocketsHttpHandler { AllowAutoRedirect = followRedirects, RequestHeaderEncodingSelector = (_, _) => System.Text.Encoding.UTF8 };
        return new HttpClient(handler) { BaseAddress = BaseAddress };
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        builder.ConfigureServices(services => services.AddSingleton(Logs));
    }
}
