using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using OrleansSocial.Budget;
using OrleansSocial.Channels;
using OrleansSocial.Graph;
using OrleansSocial.Webhooks;
using OrleansSocial.Grains.Budget;
using OrleansSocial.Grains.Channels.Sync;
using OrleansSocial.Grains.Secrets;
using OrleansSocial.Grains.Tenancy;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Tenancy;

using OrleansSocial.ReadModels;
using OrleansSocial.ReadModels.Sync;
using OrleansSocial.ReadModels.Catalog;

namespace OrleansSocial.Grains.Channels;

/// <summary>
/// Runs. A run is written to <c>sync_runs</c> before it calls anyone and after every phase; the
/// channel record names the open run. The work itself runs beside the grain's turns so requests
/// return at once. If the silo dies, the next activation on any silo (a call, or at the latest
/// the resume reminder, see <see cref="StartRunAsync"/>) picks the run up at its first unfinished
/// phase. The rate budget can park a run as <see cref="SyncRunStatus.Waiting"/>; the same reminder
/// checks every <see cref="Scheduling.SyncOptions.ResumePeriod"/> whether its time has come.
/// </summary>
public sealed partial class ChannelGrain
{
    private SyncRunRecord? _open;
    private Task? _work;
    private CancellationTokenSource? _stop;
    /// <summary>The resume reminder as this activation registered it; removing it by handle costs no read.</summary>
    private IGrainReminder? _resume;

    // A finished run's closing, while it lasts, and how many callers wait for it to start or resume a run.
    private Task? _closing;
    private int _waitingForClose;

    /// <summary>A resume reminder may exist that this activation did not register (it took over an open run).</summary>
    private bool _resumeInherited;

    public async Task<SyncRunView> RequestSync(SyncRequest request)
    {
        await AfterClosingAsync();
        var channel = Require();
        if (_open is null && channel.ActiveRunId is not null)
        {
            // A run left open (its activation could not read it back): continue that one, never start a second beside it.
            await ResumeOpenRunAsync(fromReminder: false, CancellationToken.None);
            channel = Require();
        }

        if (_open is not null)
        {
            return _open.Run;
        }

        if (channel.Paused || channel.Status == ChannelStatus.NeedsReauth)
        {
            throw new DomainException(ProblemKind.Conflict, channel.Paused ? "The channel is paused." : "The channel needs re-authorisation: PUT its token first.");
        }

        var kinds = ValidKinds(request.Kinds);

        // The plan's budget, from the tenant itself: whoever calls cannot raise it.
        var standing = await TenantOf(Key.TenantId).Standing() ?? throw DomainException.NotFound("tenant", "The channel's tenant no longer exists.");
        var bucket = TakeSyncToken(Math.Max(1, standing.Limits.ManualSyncsPerChannelPerHour));
        var id = $"{TenantDocuments.Timestamp(time.GetUtcNow())}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
        LogManualRun(logger, id, Key.ChannelId, Key.TenantId);
        return await StartRunAsync(id, SyncTriggers.Manual, kinds, new Dictionary<string, DateTimeOffset>(), BudgetPriority.Manual, standing, bucket);
    }

    /// <summary>Kinds a run may hold: known names only, never null (a null kind once made a channel unable to activate).</summary>
    private static List<string> ValidKinds(IReadOnlyList<string?>? requested)
    {
        if (requested is null || requested.Count == 0)
        {
            return [SyncKinds.Daily];
        }

        for (var i = 0; i < requested.Count; i++)
        {
            if (requested[i] is not { } kind || !SyncKinds.All.Contains(kind))
            {
                throw DomainException.Invalid($"kinds[{i}]", $"kinds[{i}] must be one of: {string.Join(", ", SyncKinds.All)}.");
            }
        }

        return requested.Cast<string>().Distinct().ToList();
    }

    /// <summary>
    /// A token bucket per channel sized by the plan: <paramref name="perHour"/> manual syncs, refilled
    /// continuously. Throttled requests learn when the next one is allowed. The bucket is kept on
    /// the channel record (saved with the run it pays for), so neither a reactivation nor another
    /// silo hands out a fresh one.
    /// </summary>
    private ManualSyncBucket TakeSyncToken(int perHour)
    {
        var now = time.GetUtcNow();
        var perSecond = perHour / 3600.0;
        var tokens = Require().ManualSyncs is { } bucket ? Math.Min(perHour, bucket.Tokens + (now - bucket.At).TotalSeconds * perSecond) : perHour;
        if (tokens < 1)
        {
            var seconds = (int)Math.Ceiling((1 - tokens) / perSecond);
            throw new DomainException(ProblemKind.Throttled, $"This channel allows {perHour} manual syncs per hour; the next one in {seconds} s.", seconds.ToString(CultureInfo.InvariantCulture));
        }

        return new ManualSyncBucket(tokens - 1, now);
    }

    /// <param name="standing">The tenant's standing as the caller just read it: the run works in its time zone and thresholds.</param>
    private async Task<SyncRunView> StartRunAsync(string runId, string trigger, IReadOnlyList<string> kinds, IReadOnlyDictionary<string, DateTimeOffset> dues, BudgetPriority priority,
        TenantStanding standing, ManualSyncBucket? spent = null)
    {
        var now = time.GetUtcNow();
        var run = new SyncRunView(runId, trigger, kinds, now, null, SyncRunStatus.Running, 0, 0, null);
        // A scheduled daily run checks the token; a manual one too when an Instagram Login token is due for its refresh.
        var channel = Require();
        var checkToken = trigger == "scheduled" || (channel.Host == GraphHost.Instagram && Options.InstagramRefreshDue(channel.TokenIssuedAt, channel.TokenExpiresAt, now));
        var document = new SyncRunRecord(Key.ChannelId, run, TenantDocuments.Timestamp(now), SyncPhases.For(kinds, checkToken), [], dues, priority);

        // Order matters for crash safety. The resume reminder comes first: if this silo dies at any
        // point of the run, a survivor takes the reminder over and continues the run within a
        // ResumePeriod, however long ago it started (re-delivering missed schedule ticks reaches
        // only ticks due just before the death; a run queued behind others, or a manual one, has
        // none). If the silo dies before the run is written, the reminder finds no run and removes
        // itself. Then the run exists before the channel points at it.
        _resume = await this.RegisterOrUpdateReminder(ResumeReminder, Options.ResumePeriod, Options.ResumePeriod);
        await WriteRunAsync(document);
        await UpdateAsync(current => Present(current) with { ActiveRunId = runId, ManualSyncs = spent ?? Present(current).ManualSyncs });
        Launch(document, standing);
        return document.Run;
    }

    /// <summary>At activation or on the resume reminder: continue the open run, finish a run that ended unrecorded, or wait.</summary>
    private async Task ResumeOpenRunAsync(bool fromReminder, CancellationToken cancellationToken)
    {
        await AfterClosingAsync();
        if (_work is not null || Current?.ActiveRunId is not { } runId)
        {
            if (fromReminder && Current?.ActiveRunId is null && _work is null)
            {
                await UnregisterAsync(ResumeReminder);
            }

            return;
        }

        var stored = await Database.GetCollection(Collections.SyncRuns).GetAsync(runId, cancellationToken);
        var document = stored is { } json ? SyncRunRecord.TryRead(json) : null;
        if (stored is not null && document is null)
        {
            LogDamagedRun(logger, null, Key.TenantId, Key.ChannelId, runId);
            await AbandonOpenRunAsync("The run's stored record was damaged; it was closed.");
            return;
        }

        if (document is null || !document.IsOpen)
        {
            // The silo died between recording the run's end and clearing the channel's pointer.
            await CloseAsync(document);
            return;
        }

        _open = document;
        _resumeInherited = true;
        if (document.Run.ResumeAt is { } at && at > time.GetUtcNow())
        {
            return;
        }

        LogResumed(logger, Key.TenantId, Key.ChannelId, runId, document.PhasesDone.Count, document.Phases.Count);
        Launch(document with { Run = document.Run with { Status = SyncRunStatus.Running, ResumeAt = null } });
    }

    /// <param name="standing">The tenant's standing when the caller has just read it; a resumed run asks for it.</param>
    private void Launch(SyncRunRecord document, TenantStanding? standing = null)
    {
        // The run is not a request: keep the activation alive while it works.
        DelayDeactivation(TimeSpan.FromMinutes(10));
        _open = document;
        _stop = new CancellationTokenSource();
        _work = ExecuteAsync(document, standing, _stop.Token);
    }

    /// <summary>Cancels the run in this activation and waits for its current step, so nothing it writes lands after.</summary>
    private async Task StopRunAsync()
    {
        await AfterClosingAsync();
        if (_work is null)
        {
            return;
        }

        await _stop!.CancelAsync();
        try
        {
            await _work;
        }
        catch (OperationCanceledException)
        {
            // Expected.
        }

        _work = null;
        _open = null;
    }

    private async Task ExecuteAsync(SyncRunRecord document, TenantStanding? standing, CancellationToken cancellationToken)
    {
        // Yield first: the caller's turn (the request that started the run) returns before any Graph call.
        await Task.Yield();
        var (tenantId, channelId) = Key;
        var channel = Require();
        var sync = SyncOf(channel, "sync", standing);
        sync.HistoryRewritten = document.Phases.Contains(SyncPhases.Backfill);
        var run = document.Run;
        try
        {
            using var slot = await slots.TakeAsync(cancellationToken);
            var target = TargetOf(Require(), document.Priority);
            var done = document.PhasesDone.ToList();
            foreach (var phase in document.Phases.Except(done))
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                await sync.RunPhaseAsync(phase, target, cancellationToken);
                SyncMetrics.PhaseEnded(phase, System.Diagnostics.Stopwatch.GetElapsedTime(started));
                done.Add(phase);
                if (phase == SyncPhases.Token && sync.TokenCheck is { } check)
                {
                    await RecordTokenCheckAsync(check);
                }
                else if (phase == SyncPhases.Token && channel.Host == GraphHost.Instagram)
                {
                    await RecordInstagramTokenAsync(sync.RefreshedToken, sync.RefreshDeferred);
                    target = TargetOf(Require(), document.Priority);
                }

                document = document with { PhasesDone = [.. done], Run = Progress(run, sync) };
                await WriteRunAsync(document);
                _open = document;
            }

            var rejected = sync.RejectedMetrics.Count > 0 ? $"metrics rejected by the API and skipped: {string.Join(", ", sync.RejectedMetrics)}" : null;
            await FinishAsync(document with { Run = Progress(run, sync) with { Status = SyncRunStatus.Succeeded, FinishedAt = time.GetUtcNow(), Error = rejected } });
        }
        catch (BudgetDeferredException deferred)
        {
            var waiting = document with { Run = Progress(run, sync) with { Status = SyncRunStatus.Waiting, ResumeAt = deferred.RetryAt, Error = deferred.Message } };
            await WriteRunAsync(waiting);
            _open = waiting;
            _work = null;
            // The resume reminder keeps ticking every ResumePeriod; each tick checks the time it was given.
            _resume = await this.RegisterOrUpdateReminder(ResumeReminder, Options.ResumePeriod, Options.ResumePeriod);
            SyncMetrics.Parked(tenantId);
            LogDeferred(logger, tenantId, channelId, deferred.RetryAt);
        }
        catch (GraphException exception)
        {
            if (exception.Kind == GraphErrorKind.TokenInvalid)
            {
                await MarkNeedsReauthAsync($"Graph code {exception.Code}/{exception.Subcode}");
            }

            LogSyncFailed(logger, tenantId, channelId, exception.Kind, exception.Code);
            await FinishAsync(document with { Run = Progress(run, sync) with { Status = SyncRunStatus.Failed, FinishedAt = time.GetUtcNow(), Error = $"{exception.Kind} (Graph code {exception.Code}): {exception.Message}" } });
        }
        catch (Exception exception) when (exception is TokenProtectionException or DatabaseNotFoundException)
        {
            LogSyncFailed(logger, tenantId, channelId, GraphErrorKind.Unknown, null);
            await FinishAsync(document with { Run = Progress(run, sync) with { Status = SyncRunStatus.Failed, FinishedAt = time.GetUtcNow(), Error = exception.GetType().Name } });
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Unexpected (a database hiccup, say): the run stays open where it got to; the schedule
            // reminder's next tick (or the next call) continues it.
            LogRunInterrupted(logger, exception, tenantId, channelId, run.SyncRunId);
            _work = null;
            _open = null;
        }
    }

    /// <summary>The channel's sync on the Graph host its token belongs to, spending the account's and that host's app budget.</summary>
    private ChannelSync SyncOf(ChannelDocument channel, string source, TenantStanding? known = null)
    {
        var tenantId = Key.TenantId;
        var hostGraph = graph.On(channel.Host);
        var page = new BudgetGate(GrainFactory.GetGrain<IRateBudgetGrain>(BudgetGate.BucketOf(channel.Platform, channel.ExternalId)), time, tenantId);
        var app = new BudgetGate(GrainFactory.GetGrain<IRateBudgetGrain>($"app:{hostGraph.AppId}"), time, tenantId);
        // Asked at most once a run: the time zone and the anomaly thresholds come from the same answer.
        var standing = known is null ? null : Task.FromResult<TenantStanding?>(known);
        Task<TenantStanding?> Standing() => standing ??= TenantOf(tenantId).Standing();
        return new ChannelSync(hostGraph, Database, page, app, time, Options, new Inbox.InboxFeed(GrainFactory, tenantId, Key.ChannelId, source),
            async () => Scheduling.SyncSchedule.Zone((await Standing())?.TimeZone),
            new Analytics.AnomalyWatch(tenantId, async () => Analytics.AnomalyWatch.ThresholdsOf(await Standing()),
                events => Webhooks.WebhookOutbox.RelayAsync(GrainFactory, Database, events, time.GetUtcNow())));
    }

    private SyncTarget TargetOf(ChannelDocument channel, BudgetPriority priority) =>
        new(Key.ChannelId, channel.Platform, channel.ExternalId, protector.Unprotect(channel.Token, Key.TenantId, Key.ChannelId), channel.LastSuccess, priority,
            channel.TokenIssuedAt, channel.TokenExpiresAt);

    private static SyncRunView Progress(SyncRunView run, ChannelSync sync) =>
        run with { GraphCalls = run.GraphCalls + sync.Calls, ItemsWritten = run.ItemsWritten + sync.Items, Status = SyncRunStatus.Running, ResumeAt = null, Error = null };

    /// <summary>
    /// Records the end: first the run (so its due times are answered), then the channel's schedule,
    /// then the pointer is cleared and the resume reminder removed. Any crash in between is finished by <see cref="CloseAsync"/>.
    /// </summary>
    private Task FinishAsync(SyncRunRecord document)
    {
        // The run is over before its record is written: a request arriving during that write is not
        // handed the finished run as if it were still going; it waits for the close (AfterClosingAsync)
        // and starts a new run then — one starting inside the close would have its pointer, its resume
        // reminder and its place in memory cleared by it.
        _open = null;
        _work = null;
        _closing = CloseFinishedAsync(document);
        return _closing;
    }

    private async Task CloseFinishedAsync(SyncRunRecord document)
    {
        try
        {
            await WriteRunAsync(document);
            LogRunEnded(logger, Key.TenantId, Key.ChannelId, document.Run.SyncRunId, document.Run.Trigger, string.Join(',', document.Run.Kinds), document.Run.Status, document.Run.GraphCalls, document.Run.ItemsWritten);
            SyncMetrics.RunEnded(Key.TenantId, document.Run.Trigger, document.Run.Status.ToString().ToLowerInvariant(), document.Run.GraphCalls, document.Run.ItemsWritten);
            figures.SyncEnded(document.Run.Status.ToString().ToLowerInvariant());
            await CloseAsync(document);
        }
        finally
        {
            _closing = null;
        }
    }

    /// <summary>
    /// Waits while a finished run is being closed (a run in the background does not hold the grain's turn):
    /// whatever starts, resumes or closes a run comes after it.
    /// </summary>
    private async Task AfterClosingAsync()
    {
        while (_closing is { IsCompleted: false } closing)
        {
            _waitingForClose++;
            try
            {
                // Its failure is the run's to report (the run stays open, to be resumed): here only its end matters.
                await closing.ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext | ConfigureAwaitOptions.SuppressThrowing);
            }
            finally
            {
                _waitingForClose--;
            }
        }
    }

    private async Task CloseAsync(SyncRunRecord? document)
    {
        _open = null;
        _work = null;
        await UpdateAsync(current =>
        {
            var closed = Closed(Present(current), document);
            return document?.Run is { Status: SyncRunStatus.Failed } run
                ? closed.Announcing(WebhookEvent.Create(WebhookEventTypes.SyncFailed, Key.TenantId, time.GetUtcNow(),
                    new SyncFailedData(Key.ChannelId, run.SyncRunId, run.Trigger, run.Kinds, run.Error)))
                : closed;
        });
        await RelayAsync();
        await RemoveResumeAsync();

        if (document?.Run.Trigger == "scheduled")
        {
            // Realign the reminder to the next due phase and record the next due times.
            await StartScheduleAsync();
        }

        // Nothing of a finished run lives only in memory (the record holds the schedule, the manual
        // sync bucket and the token): the activation goes now rather than sit until its next tick, a
        // day away for most. A pending first-tick timer is the exception: it exists only here.
        if (_firstTickBackup is null && _waitingForClose == 0)
        {
            DeactivateOnIdle();
        }
    }

    /// <summary>The run is closed: its resume reminder goes (one nobody here knows of removes itself on its next tick).</summary>
    private async Task RemoveResumeAsync()
    {
        if (_resume is { } resume)
        {
            _resume = null;
            _resumeInherited = false;
            try
            {
                await this.UnregisterReminder(resume);
            }
            catch (ReminderException)
            {
                // Updated meanwhile (its etag moved on): remove whatever stands now.
                await UnregisterAsync(ResumeReminder);
            }
        }
        else if (_resumeInherited)
        {
            _resumeInherited = false;
            await UnregisterAsync(ResumeReminder);
        }
    }

    /// <summary>The channel record once a run has ended: each kind's schedule answered, the pointer cleared.</summary>
    private static ChannelDocument Closed(ChannelDocument channel, SyncRunRecord? document)
    {
        if (document is not null)
        {
            foreach (var kind in document.Run.Kinds.Where(SyncKinds.All.Contains))
            {
                var schedule = channel.ScheduleOf(kind);
                channel = channel.WithSchedule(kind, schedule with
                {
                    LastDue = document.Dues.TryGetValue(kind, out var due) ? due : schedule.LastDue,
                    LastRunAt = document.Run.StartedAt,
                    LastStatus = document.Run.Status.ToString().ToLowerInvariant(),
                });
            }

            if (document.Run.Status == SyncRunStatus.Succeeded && document.Run.Kinds.Contains(SyncKinds.Daily))
            {
                channel = channel with { LastSuccess = document.Run.StartedAt };
            }
        }

        return channel with { ActiveRunId = null };
    }

    /// <summary>
    /// The open run's record is unusable (damaged, or refers to what is gone): it is recorded as failed
    /// when it can be, and the channel no longer points at it, so the channel works again.
    /// </summary>
    private async Task AbandonOpenRunAsync(string reason)
    {
        if (Current?.ActiveRunId is { } runId)
        {
            try
            {
                var failed = new SyncRunView(runId, SyncTriggers.Manual, [], time.GetUtcNow(), time.GetUtcNow(), SyncRunStatus.Failed, 0, 0, reason);
                await WriteRunAsync(new SyncRunRecord(Key.ChannelId, failed, TenantDocuments.Timestamp(time.GetUtcNow()), [], [], new Dictionary<string, DateTimeOffset>(), BudgetPriority.Manual));
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogDamagedRun(logger, exception, Key.TenantId, Key.ChannelId, runId);
            }
        }

        _open = null;
        _work = null;
        await UpdateAsync(current => Present(current) with { ActiveRunId = null });
    }

    private async Task RecordTokenCheckAsync(OrleansSocial.Graph.Models.TokenInfo check)
    {
        var now = time.GetUtcNow();
        await UpdateAsync(current =>
        {
            var checkedNow = Present(current) with { TokenCheckedAt = now, TokenExpiresAt = check.ExpiresAt };
            return check.IsValid ? AnnouncingExpiry(checkedNow, now) : checkedNow;
        });
        await RelayAsync();
        if (!check.IsValid)
        {
            throw new GraphException(GraphErrorKind.TokenInvalid, "debug_token says the token is no longer valid.", check.Error?.Code ?? 190, check.Error?.Subcode, null, false, 200, GraphUsage.None);
        }
    }

    /// <summary>
    /// An Instagram Login token after the run's refresh step: the successor stored at once (encrypted) with
    /// its new expiry, or, when the refresh did not happen, the expiry warning if its time has come.
    /// </summary>
    private async Task RecordInstagramTokenAsync(OrleansSocial.Graph.Models.LongLivedToken? refreshed, string? deferred)
    {
        var now = time.GetUtcNow();
        await UpdateAsync(current =>
        {
            var channel = Present(current) with { TokenCheckedAt = now };
            return refreshed is null
                ? AnnouncingExpiry(channel, now)
                : channel with
                {
                    Token = protector.Protect(refreshed.AccessToken, Key.TenantId, Key.ChannelId),
                    TokenIssuedAt = now,
                    TokenExpiresAt = now + (refreshed.ExpiresIn is > 0 and var seconds ? TimeSpan.FromSeconds(seconds) : GraphClient.InstagramLongLivedTokenLifetime),
                    UpdatedAt = now,
                };
        });
        await RelayAsync();
        if (refreshed is not null)
        {
            LogTokenRefreshed(logger, Key.TenantId, Key.ChannelId, Current?.TokenExpiresAt);
        }
        else if (deferred is not null)
        {
            LogRefreshDeferred(logger, Key.TenantId, Key.ChannelId, deferred);
        }
    }

    /// <summary>The record announcing <c>channel.token_expiring</c> when its token expires within the warning time, once per expiry time (a new token is announced again when its time comes).</summary>
    private ChannelDocument AnnouncingExpiry(ChannelDocument channel, DateTimeOffset now) =>
        channel.TokenExpiresAt is { } expires && expires - now <= Options.TokenExpiryWarning && channel.TokenExpiryAnnounced != expires
            ? channel.Announcing(WebhookEvent.Create(WebhookEventTypes.ChannelTokenExpiring, Key.TenantId, now, new ChannelTokenExpiringData(Key.ChannelId, channel.Platform, expires))) with { TokenExpiryAnnounced = expires }
            : channel;

    private async Task MarkNeedsReauthAsync(string detail)
    {
        var wasActive = Current?.Status != ChannelStatus.NeedsReauth;
        await UpdateAsync(current =>
        {
            // A token that was about to expire is announced as such first: the warning a member acts on comes before the failure.
            var flagged = AnnouncingExpiry(Present(current), time.GetUtcNow()) with { Status = ChannelStatus.NeedsReauth, UpdatedAt = time.GetUtcNow() };
            return wasActive
                ? flagged.Announcing(OrleansSocial.Webhooks.WebhookEvent.Create(OrleansSocial.Webhooks.WebhookEventTypes.ChannelNeedsReauth, Key.TenantId, time.GetUtcNow(),
                    new OrleansSocial.Webhooks.ChannelNeedsReauthData(Key.ChannelId, flagged.Platform, detail)))
                : flagged;
        });
        await RelayAsync();
        // Not awaited on purpose (an ordinary call, sent and left): the tenant grain may be waiting on this
        // channel (deleting it), and awaiting its answer here would deadlock. Ignore() observes a failure.
        TenantOf(Key.TenantId).RecordAudit(Actor.System, "channel.needs_reauth", Key.ChannelId, "flagged", detail).Ignore();
    }

    private Task WriteRunAsync(SyncRunRecord document) =>
        Database.GetCollection(Collections.SyncRuns).UpsertAsync(document.Run.SyncRunId, DocumentJson.ToJson(document), CancellationToken.None);

    [LoggerMessage(EventId = 3014, Level = LogLevel.Information, Message = "Channel {ChannelId} of tenant {TenantId}: Instagram Login token refreshed, valid until {ExpiresAt}")]
    private static partial void LogTokenRefreshed(ILogger logger, string tenantId, string channelId, DateTimeOffset? expiresAt);

    [LoggerMessage(EventId = 3015, Level = LogLevel.Warning, Message = "Channel {ChannelId} of tenant {TenantId}: Instagram Login token refresh deferred ({Reason}); the current token stays in use and the next daily run tries again")]
    private static partial void LogRefreshDeferred(ILogger logger, string tenantId, string channelId, string reason);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Sync of channel {ChannelId} of tenant {TenantId} failed: {Kind} (Graph code {Code})")]
    private static partial void LogSyncFailed(ILogger logger, string tenantId, string channelId, GraphErrorKind kind, int? code);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Run {RunId} of channel {ChannelId} of tenant {TenantId} was interrupted; the next schedule tick continues it")]
    private static partial void LogRunInterrupted(ILogger logger, Exception exception, string tenantId, string channelId, string runId);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Information, Message = "Sync {RunId} ({Trigger}, {Kinds}) of channel {ChannelId} of tenant {TenantId} ended {Status}: {GraphCalls} Graph calls, {Items} items written")]
    private static partial void LogRunEnded(ILogger logger, string tenantId, string channelId, string runId, string trigger, string kinds, SyncRunStatus status, int graphCalls, int items);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Sync of channel {ChannelId} of tenant {TenantId} waits for the rate budget until {RetryAt}")]
    private static partial void LogDeferred(ILogger logger, string tenantId, string channelId, DateTimeOffset retryAt);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Information, Message = "Manual sync {RunId} of channel {ChannelId} of tenant {TenantId} starts")]
    private static partial void LogManualRun(ILogger logger, string runId, string channelId, string tenantId);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "Run {RunId} of channel {ChannelId} of tenant {TenantId} resumes after {Done} of {Phases} phases")]
    private static partial void LogResumed(ILogger logger, string tenantId, string channelId, string runId, int done, int phases);
}
