using OrleansSocial.Inbox;

namespace OrleansSocial.Host.Inbox;

/// <summary>
/// Routes Meta notifications that were recorded but not routed (the silo died between the two): every
/// <see cref="Period"/>, whatever is older than that. Routing twice is harmless, so every silo sweeps.
/// </summary>
internal sealed partial class MetaEventSweep(IHostApplicationLifetime lifetime, IGrainFactory grains, IConfiguration configuration, ILogger<MetaEventSweep> logger) : BackgroundService
{
    /// <summary><c>Inbox:SweepPeriod</c>, 30 s by default: how often, and how old a record must be to be swept.</summary>
    private TimeSpan Period => configuration.GetValue("Inbox:SweepPeriod", TimeSpan.FromSeconds(30)) is var period && period > TimeSpan.Zero ? period : TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using var registration = lifetime.ApplicationStarted.Register(started.SetResult);
        await started.Task.WaitAsync(stoppingToken);
        using var timer = new PeriodicTimer(Period);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var routed = await grains.GetGrain<IMetaEventsGrain>(0).Sweep(Period);
                if (routed > 0)
                {
                    LogSwept(logger, routed);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogSweepFailed(logger, exception.GetType().Name);
            }
        }
    }

    [LoggerMessage(EventId = 175, Level = LogLevel.Information, Message = "Meta webhooks: {Count} notification(s) left unrouted by a crash were routed")]
    private static partial void LogSwept(ILogger logger, int count);

    [LoggerMessage(EventId = 176, Level = LogLevel.Warning, Message = "Meta webhooks: the sweep failed ({Failure}); it runs again")]
    private static partial void LogSweepFailed(ILogger logger, string failure);
}
