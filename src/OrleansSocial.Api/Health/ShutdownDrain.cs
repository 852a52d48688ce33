using Microsoft.Extensions.Options;
using OrleansSocial.Api.Configuration;

namespace OrleansSocial.Api.Health;

/// <summary>
/// Holds shutdown back for <see cref="ApiOptions.ShutdownDrainDelay"/> once it has begun: by then
/// readiness already says "shutting down" (<see cref="SiloActiveHealthCheck"/>) but the web server
/// still serves, so a load balancer stops sending traffic before the listener closes. Then the web
/// server and the silo stop; the silo's grains finish or hand off their syncs as they deactivate.
/// </summary>
/// <remarks>
/// A callback on <see cref="IHostApplicationLifetime.ApplicationStopping"/>, not a hosted service's
/// StopAsync: the host runs those callbacks, and waits for them, before it stops any service.
/// </remarks>
internal sealed partial class ShutdownDrain(IHostApplicationLifetime lifetime, IOptions<ApiOptions> options, ILogger<ShutdownDrain> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var delay = options.Value.ShutdownDrainDelay;
        if (delay > TimeSpan.Zero)
        {
            lifetime.ApplicationStopping.Register(() =>
            {
                LogDraining(logger, delay);
                Thread.Sleep(delay);
            });
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 140, Level = LogLevel.Information, Message = "Shutting down: not ready; serving for another {Delay} before stopping")]
    private static partial void LogDraining(ILogger logger, TimeSpan delay);
}
