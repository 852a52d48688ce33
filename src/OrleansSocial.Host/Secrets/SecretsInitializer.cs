using OrleansSocial.Api.Operators;
using OrleansSocial.Grains.Secrets;

namespace OrleansSocial.Host.Secrets;

/// <summary>
/// Resolves the host's secrets when it starts, not at first use: a generated key file exists
/// (and its path is logged) right away, and a malformed configured key stops the process.
/// </summary>
internal sealed class SecretsInitializer(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = services.GetRequiredService<OperatorKey>();
        _ = services.GetRequiredService<TokenProtector>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
