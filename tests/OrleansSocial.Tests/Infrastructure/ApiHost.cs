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

    private readonly Action<IServiceCollection>? _services;

    /// <param name="services">Changes to the host's services after its own, for tests about one piece (say, a store that pauses writes).</param>
    public ApiHost(string dataPath, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        _services = services;
        DataPath = dataPath;
        _settings = new Dictionary<string, string?>
        {
            ["Data:Path"] = dataPath,
            ["Orleans:SiloPort"] = SiloPorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Tests send many wrong keys on purpose from one address; the test of that limit sets its own.
            ["Api:FailedAuthenticationBurst"] = "1000000",
            ["Api:FailedAuthenticationsPerMinute"] = "1000000",
            ["Orleans:ClusterId"] = "test-" + Guid.NewGuid().ToString("N")[..8],
            // No load balancer to drain in tests (the drain itself has its own test).
            ["Api:ShutdownDrainDelay"] = "00:00:00",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }

        // Port 0: the system picks a free port at bind time, read back below. Nothing to race for.
        UseKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0));
    }

    public string DataPath { get; }

    /// <summary>Where the server listens, read from the server once it is bound; starts it if needed.</summary>
    public Uri BaseAddress
    {
        get
        {
            StartServer();
            var addresses = Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features
                .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses;
            return new Uri(addresses.Single());
        }
    }

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
        if (_services is not null)
        {
            Microsoft.AspNetCore.TestHost.WebHostBuilderExtensions.ConfigureTestServices(builder, _services);
        }
    }
}
