using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using OrleansSocial.Api.Configuration;
using OrleansSocial.Graph;
using OrleansSocial.Host.Configuration;

namespace OrleansSocial.Host.Hosting;

/// <summary>
/// One line a newcomer can read at every start: where the API answers, where its data lives (full
/// path), which Graph backend it calls and where the silo listens. Everything else at this level
/// is the product's own events; library chatter is at warning (appsettings.json).
/// </summary>
internal sealed partial class StartupBanner(
    IHostApplicationLifetime lifetime, IServer server, IOptions<DataOptions> data, IOptions<GraphOptions> graph,
    IOptions<ClusterSettings> cluster, GraphBackend.EmbeddedGraphEmulator emulator, ILogger<StartupBanner> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            LogReady(logger, string.Join(", ", addresses), data.Value.FullPath, graph.Value.BaseUrl,
                emulator.Enabled ? "embedded emulator" : "configured", cluster.Value.Mode, cluster.Value.SiloPort);
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 170, Level = LogLevel.Information,
        Message = "OrleansSocial API ready at {Addresses} — data folder {DataPath}; Graph {GraphBaseUrl} ({GraphBackend}); Orleans {Mode} silo on port {SiloPort}")]
    private static partial void LogReady(ILogger logger, string addresses, string dataPath, string graphBaseUrl, string graphBackend, string mode, int siloPort);
}
