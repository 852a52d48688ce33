using Microsoft.Extensions.Options;
using Orleans.Runtime;
using OrleansSocial.Api.Membership;

namespace OrleansSocial.Host.Reminders;

/// <summary>
/// Orleans keeps a reminder's definition, not its occurrences: a tick that falls due while the silo
/// owning it is dead but not yet declared dead is skipped, and the reminder next fires a whole
/// period later (an hour for a channel's schedule). So when a silo is declared dead the survivors
/// look through the reminder table and deliver every tick that fell due
/// within <see cref="MissedTickOptions.CatchUpWindow"/> once more, and look again a few times for
/// ticks that came due since (see <see cref="MissedTickOptions.FollowUps"/>). The grains' reminder handlers are
/// idempotent by design (a schedule tick runs only what is owed, a delivery tick only what is
/// pending), so a tick delivered twice costs an activation, never a second sync or post. The table
/// is split between the active silos by grain hash, so each grain is woken by one of them.
/// </summary>
internal sealed partial class MissedTickCatchUp(
    IClusterMembershipService membership,
    ILocalSiloDetails silo,
    IReminderTable reminders,
    IGrainFactory grains,
    IOptions<MissedTickOptions> options,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<MissedTickCatchUp> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Grain calls need the silo to be up.
        if (!await StartedAsync(stoppingToken))
        {
            return;
        }

        await foreach (var died in membership.DeclaredDeadAsync(stoppingToken))
        {
            // Beside the loop: another death while these looks go on starts its own.
            _ = CatchUpAfterAsync($"silo {string.Join(", ", died)} was declared dead", stoppingToken);
        }
    }

    private async Task<bool> StartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        using var onStopping = stoppingToken.Register(() => started.TrySetCanceled());
        try
        {
            await started.Task;
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task CatchUpAfterAsync(string reason, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(options.Value.CatchUpDelay, time, stoppingToken);
            var lookedAt = await CatchUpAsync(reason, DateTime.MinValue, stoppingToken);
            for (var followUp = 0; followUp < options.Value.FollowUps; followUp++)
            {
                await Task.Delay(options.Value.FollowUpInterval, time, stoppingToken);
                lookedAt = await CatchUpAsync(reason, lookedAt, stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>Delivers every tick of this silo's share due after <paramref name="since"/> and within the window; returns the time it looked.</summary>
    private async Task<DateTime> CatchUpAsync(string reason, DateTime since, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        try
        {
            var active = membership.CurrentSnapshot.Members.Values
                .Where(m => m.Status == SiloStatus.Active)
                .Select(m => m.SiloAddress)
                .Order()
                .ToList();
            var share = active.IndexOf(silo.SiloAddress);
            if (share < 0)
            {
                return now;
            }

            var table = await reminders.ReadRows(0, 0);
            var missed = table.Reminders
                .Where(r => (uint)r.GrainId.GetUniformHashCode() % (uint)active.Count == share)
                .Where(r => MissedTicks.LastDue(r.StartAt, r.Period, now) is { } due && due > since && now - due <= options.Value.CatchUpWindow)
                .ToList();
            await Parallel.ForEachAsync(
                missed,
                new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Value.MaxConcurrentCalls), CancellationToken = cancellationToken },
                async (reminder, token) => await DeliverAsync(reminder, now, token));
            LogCaughtUp(logger, reason, missed.Count, table.Reminders.Count, share + 1, active.Count);
            return now;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Not fatal: the next look covers this one's ticks too, and every reminder still ticks at its next period.
            LogFailed(logger, exception, reason);
            return since;
        }
    }

    private async Task DeliverAsync(ReminderEntry reminder, DateTime now, CancellationToken cancellationToken)
    {
        try
        {
            await grains.GetGrain<IRemindable>(reminder.GrainId)
                .ReceiveReminder(reminder.ReminderName, new TickStatus(reminder.StartAt, reminder.Period, now), cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogTickFailed(logger, exception, reminder.ReminderName, reminder.GrainId);
        }
    }

    [LoggerMessage(EventId = 150, Level = LogLevel.Information,
        Message = "Missed reminder ticks after {Reason}: {Delivered} delivered again of {Reminders} reminders (share {Share} of {Silos})")]
    private static partial void LogCaughtUp(ILogger logger, string reason, int delivered, int reminders, int share, int silos);

    [LoggerMessage(EventId = 151, Level = LogLevel.Warning, Message = "Looking for missed reminder ticks after {Reason} failed; they come at their reminders' next period")]
    private static partial void LogFailed(ILogger logger, Exception exception, string reason);

    [LoggerMessage(EventId = 152, Level = LogLevel.Warning, Message = "Delivering missed tick of reminder {ReminderName} to {GrainId} failed; it comes at the next period")]
    private static partial void LogTickFailed(ILogger logger, Exception exception, string reminderName, GrainId grainId);
}
