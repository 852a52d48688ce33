using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OrleansSocial.Api.Apis;
using OrleansSocial.Host.Extensions;
using OrleansSocial.Testing;

namespace OrleansSocial.Benchmarks;

/// <summary>The real API silo (same composition as Program.cs) on a loopback port, plus one baseline route.</summary>
internal sealed class BenchHost : IAsyncDisposable
{
    public const string OperatorKey = "benchmark-operator-key-0123456789abcdefghij";
    public const string BaselinePath = "/bench/baseline";

    private readonly WebApplication _app;

    private BenchHost(WebApplication app, int port)
    {
        _app = app;
        Client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>What the baseline route answers: set to the same body the authorised route returned.</summary>
    public static TenantApi.TenantResponse? BaselineBody { get; set; }

    public static async Task<BenchHost> StartAsync(string dataPath, IDictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddProvider(new SlowTurns());
        var configuration = new Dictionary<string, string?>
        {
            ["Data:Path"] = dataPath,
            ["Operator:ApiKey"] = OperatorKey,
            ["Api:ShutdownDrainDelay"] = "00:00:00",
            // The host's own defaults put product events at information; a benchmark prints figures only.
            ["Logging:LogLevel:OrleansSocial"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
            // A load generator on one address is not an attacker.
            ["Api:FailedAuthenticationBurst"] = "1000000",
            ["Api:FailedAuthenticationsPerMinute"] = "1000000",
            ["Orleans:SiloPort"] = SiloPorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in settings)
        {
            configuration[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(configuration);
        builder.AddOrleansSocial();
        var app = builder.Build();
        app.UseOrleansSocial();
        // The same JSON as GET /api/tenant, through the same serializer, but no tenant resolution and no grain.
        app.MapGet(BaselinePath, () => TypedResults.Ok(BaselineBody));
        await app.StartAsync();
        var port = new Uri(app.Urls.Single()).Port;
        return new BenchHost(app, port);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
