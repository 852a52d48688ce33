using Microsoft.Extensions.Logging;
using OrleansSocial.Budget;
using OrleansSocial.Channels;
using OrleansSocial.Grains.Channels.Scheduling;
using OrleansSocial.Tenancy;

using OrleansSocial.ReadModels;
using OrleansSocial.ReadModels.Sync;
using OrleansSocial.ReadModels.Catalog;

namespace OrleansSocial.Grains.Channels;

/// <summary>
/// The schedule. One reminder per channel ticks at the channel's staggered due phase and then every
/// <see cref="SyncOptions.CatchUpPeriod"/>; each tick asks which kinds owe a sync (calendar due
/// times in the tenant's zone, see <see cref="SyncSchedule"/>) and starts one run for all of them.
/// A kind's due time is recorded when its run ends, so a second tick, a second silo or a catch-up
/// after downtime finds nothing owed: one run per due time.
/// </summary>
public sealed partial class ChannelGrain
{
    public const string ScheduleReminder = "sync-schedule";
    public const string ResumeReminder = "sync-resume";

    /// <summary>Reminder ticks may come a little early; a tick this close to a due time counts as at it.</summary>
    private static readonly TimeSpan TickTolerance = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A tick due sooner than this after registering is backed by a grain timer (see <see cref="StartScheduleAsync"/>);
    /// so is a new channel's first tick, however far into <see cref="SyncOptions.InitialSyncWindow"/> it falls.
    /// </summary>
    private static readonly TimeSpan FirstTickBackupLimit = TimeSpan.FromMinutes(1);

    private IGrainTimer? _firstTickBackup;

    private TimeSpan Offset => SyncSchedule.Offset(this.GetPrimaryKeyString(), Options.StaggerWindow);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (Current is null)
        {
            // The channel is gone (deleted, or its tenant with it): its reminders go too.
            await StopScheduleAsync();
            await UnregisterAsync(ResumeReminder);
            await UnregisterAsync(CommentPollReminder);
            DeactivateOnIdle();
            return;
        }

        if (reminderName == CommentPollReminder)
        {
            await PollCommentsAsync();
            return;
        }

        if (reminderName == ResumeReminder)
        {
            await ResumeOpenRunAsync(fromReminder: true, CancellationToken.None);
            return;
        }

        if (reminderName == ScheduleReminder)
        {
            await TickAsync();
        }
    }

    /// <summary>Registers the schedule reminder at the channel's next due phase. Idempotent.</summary>
    private async Task StartScheduleAsync()
    {
        var zone = await ZoneAsync();
        var now = time.GetUtcNow();
        var channel = await UpdateAsync(current =>
        {
            var channel = Present(current);
            foreach (var kind in SyncKinds.All)
            {
                channel = channel.WithSchedule(kind, channel.ScheduleOf(kind) with { NextDue = NextDue(kind, channel, now, zone) });
            }

            return channel;
        });

        // A new channel owes every kind at once, so its first tick comes soon (within InitialSyncWindow,
        // staggered) and brings its history in. Otherwise the reminder is put in phase with the due
        // times: it ticks every CatchUpPeriod, one of those ticks falling exactly on the next due time.
        var untilDue = SyncKinds.All.Min(kind => channel.ScheduleOf(kind).NextDue!.Value) - now;
        var first = channel.ScheduleOf(SyncKinds.Daily).LastDue is null
            ? TimeSpan.FromSeconds(Offset.TotalSeconds % Math.Max(1, Options.InitialSyncWindow.TotalSeconds))
            : TimeSpan.FromTicks(Math.Max(0, untilDue.Ticks) % Options.CatchUpPeriod.Ticks);
        await this.RegisterOrUpdateReminder(ScheduleReminder, first, Options.CatchUpPeriod);

        // Orleans skips a reminder's first tick when it has passed by the time the owning silo starts
        // the reminder's timer (dotnet/orleans#9385): under load, first ticks due seconds after a
        // connection were lost for an hour (figures: docs/benchmarks.md, scheduled-cluster). A one-shot grain timer just after the first tick makes it anyway;
        // a tick runs only what is owed, so when the reminder did fire the timer finds nothing to do.
        // The activation is kept until then: an idle channel is collected after two minutes.
        if (first <= FirstTickBackupLimit || channel.ScheduleOf(SyncKinds.Daily).LastDue is null)
        {
            DelayDeactivation(first + TickTolerance + TickTolerance);
            _firstTickBackup?.Dispose();
            _firstTickBackup = this.RegisterGrainTimer(
                static (grain, _) => grain.BackupTickAsync(),
                this,
                new GrainTimerCreationOptions(first + TickTolerance, Timeout.InfiniteTimeSpan));
        }
    }

    private Task BackupTickAsync()
    {
        // One shot: once it has fired, nothing keeps the activation for it.
        _firstTickBackup?.Dispose();
        _firstTickBackup = null;
        return Current is null ? Task.CompletedTask : TickAsync();
    }

    private async Task StopScheduleAsync() => await UnregisterAsync(ScheduleReminder);

    private async Task UnregisterAsync(string name)
    {
        if (await this.GetReminder(name) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private async Task TickAsync()
    {
        await AfterClosingAsync();
        var channel = Require();
        var standing = await TenantOf(Key.TenantId).Standing();
        if (standing is null)
        {
            await StopScheduleAsync();
            return;
        }

        if (channel.ActiveRunId is not null)
        {
            // A run is open: continue it if nobody is working on it (its silo died), else let it finish.
            await ResumeOpenRunAsync(fromReminder: false, CancellationToken.None);
            return;
        }

        if (standing.Status == TenantStatus.Suspended || channel.Paused || channel.Status == ChannelStatus.NeedsReauth)
        {
            // No work now: a suspended tenant, a paused channel or a dead token calls nobody. What is owed
            // stays owed; the tick after they recover runs it once.
            return;
        }

        var zone = SyncSchedule.Zone(standing.TimeZone);
        var now = time.GetUtcNow();
        var owed = new Dictionary<string, DateTimeOffset>();
        foreach (var kind in SyncKinds.All)
        {
            var due = SyncSchedule.LastDue(kind, now + TickTolerance, zone, Offset);
            if (channel.ScheduleOf(kind).LastDue is not { } done || done < due)
            {
                owed[kind] = due;
            }
        }

        if (owed.Count == 0)
        {
            return;
        }

        LogScheduledRun(logger, Key.TenantId, Key.ChannelId, string.Join(',', owed.Keys));
        await StartRunAsync(
            SyncRunRecord.ScheduledId(Key.ChannelId, string.Join('+', owed.Keys), owed.Values.Max()),
            SyncTriggers.Scheduled, [.. owed.Keys], owed, BudgetPriority.Scheduled, standing);
    }

    private async Task<TimeZoneInfo> ZoneAsync() => SyncSchedule.Zone((await TenantOf(Key.TenantId).Standing())?.TimeZone);

    private DateTimeOffset NextDue(string kind, ChannelDocument channel, DateTimeOffset now, TimeZoneInfo zone) =>
        channel.ScheduleOf(kind).LastDue is null ? now : SyncSchedule.NextDue(kind, now + TickTolerance, zone, Offset);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Scheduled sync ({Kinds}) of channel {ChannelId} of tenant {TenantId} starts")]
    private static partial void LogScheduledRun(ILogger logger, string tenantId, string channelId, string kinds);
}
