using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using OrleansSocial.Graph;
using OrleansSocial.GraphEmulator;

namespace OrleansSocial.Host.GraphBackend;

/// <summary>
/// The default profile's Graph backend: when <c>Graph:BaseUrl</c> is not configured, the host
/// starts the Graph API emulator in-process on a free loopback port and points the Graph
/// client at it (our machines have no internet). With <c>Graph:BaseUrl</c> set, nothing starts.
/// </summary>
internal sealed partial class EmbeddedGraphEmulator(IConfiguration configuration, ILogger<EmbeddedGraphEmulator> logger) : IHostedService, IAsyncDisposable
{
    private readonly Lazy<Uri> _baseUrl = new(() =>
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");
    });

    private RunningEmulator? _running;

    public bool Enabled => string.IsNullOrWhiteSpace(configuration[$"{GraphOptions.Section}:BaseUrl"]);

    public Uri BaseUrl => _baseUrl.Value;

    public EmulatorOptions Options { get; } = Bind(configuration);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return;
        }

        _running = await EmulatorHost.StartAsync(o => configuration.GetSection(EmulatorOptions.Section).Bind(o), BaseUrl.ToString().TrimEnd('/'));
        LogStarted(logger, BaseUrl);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_running is not null)
        {
            await _running.DisposeAsync();
        }
    }

    private static EmulatorOptions Bind(IConfiguration configuration)
    {
        var options = new EmulatorOptions();
        configuration.GetSection(EmulatorOptions.Section).Bind(options);
        return options;
    }

    /// <summary>Points the Graph client at the embedded emulator unless Graph:BaseUrl says otherwise.</summary>
    public sealed class ConfigureGraph(EmbeddedGraphEmulator emulator) : IPostConfigureOptions<GraphOptions>
    {
        public void PostConfigure(string? name, GraphOptions options)
        {
            if (!emulator.Enabled)
            {
                return;
            }

            options.BaseUrl = emulator.BaseUrl.ToString().TrimEnd('/');
            options.AppId = emulator.Options.AppId;
            options.AppSecret = emulator.Options.AppSecret;
        }
    }

    [LoggerMessage(EventId = 130, Level = LogLevel.Warning,
        Message = "Graph:BaseUrl is not set: the Graph API emulator serves Facebook and Instagram at {BaseUrl} (its world: {BaseUrl}__emulator/world)")]
    private static partial void LogStarted(ILogger logger, Uri baseUrl);
}
