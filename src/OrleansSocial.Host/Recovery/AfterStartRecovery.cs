namespace OrleansSocial.Host.Recovery;

/// <summary>
/// Work that settles what a killed process left behind, run once the host has started (grain
/// calls need the silo up) and never failing the start: each kind is also settled on demand.
/// </summary>
internal abstract class AfterStartRecovery(IHostApplicationLifetime lifetime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() => _ = RunAsync(lifetime.ApplicationStopping));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RecoverAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            Failed(exception);
        }
    }

    protected abstract Task RecoverAsync(CancellationToken cancellationToken);

    /// <summary>Logs a failed pass; not fatal.</summary>
    protected abstract void Failed(Exception exception);
}
