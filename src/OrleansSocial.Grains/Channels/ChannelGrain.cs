using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansSocial.Channels;
using OrleansSocial.Grains.Concurrency;
using OrleansSocial.Grains.Channels.Scheduling;
using OrleansSocial.Grains.Channels.Sync;
using OrleansSocial.Grains.Operations;
using OrleansSocial.Grains.Secrets;
using OrleansSocial.Grains.Tenancy;
using OrleansSocial.Graph;
using OrleansSocial.ReadModels.Operations;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Naming;
using OrleansSocial.Tenancy;

using OrleansSocial.ReadModels;
using OrleansSocial.ReadModels.Sync;
using OrleansSocial.ReadModels.Catalog;
using OrleansSocial.Grains.Records;

namespace OrleansSocial.Grains.Channels;

/// <summary>When a sync kind last answered its due time, how that went, and when it is next due.</summary>
internal sealed record KindSchedule(DateTimeOffset? LastDue, DateTimeOffset? LastRunAt, string? LastStatus, DateTimeOffset? NextDue);

/// <summary>The manual-sync token bucket as last left: stored, so it survives reactivation and moving silo.</summary>
internal sealed record ManualSyncBucket(double Tokens, DateTimeOffset At);

/// <summary>A channel document in the tenant's own database; the token only as ciphertext bound to tenant and channel.</summary>
internal sealed record ChannelDocument(
    string ChannelId,
    string Platform,
    string ExternalId,
    string Name,
    ChannelStatus Status,
    bool Paused,
    ProtectedToken Token,
    DateTimeOffset? TokenExpiresAt,
    DateTimeOffset ConnectedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? TokenCheckedAt = null,
    DateTimeOffset? LastSuccess = null,
    string? ActiveRunId = null,
    IReadOnlyDictionary<string, KindSchedule>? Schedule = null,
    ManualSyncBucket? ManualSyncs = null,
    IReadOnlyList<OrleansSocial.Webhooks.WebhookEvent>? Outbox = null,
    DateTimeOffset? TokenExpiryAnnounced = null,
    string? PageId = null,
    bool Listed = false,
    string? CommentIntake = null,
    string? Login = null,
    DateTimeOffset? TokenIssuedAt = null) : OrleansSocial.Grains.Records.IAnnouncingRecord<ChannelDocument>
{
    /// <summary>The stored record, or null with the reason when it cannot be used as it is.</summary>
    public static ChannelDocument? TryRead(System.Text.Json.JsonElement stored, out string? problem)
    {
        ChannelDocument? channel;
        try
        {
            channel = DocumentJson.FromJson<ChannelDocument>(stored);
        }
        catch (Exception exception) when (exception is System.Text.Json.JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            problem = "not readable as a channel";
            return null;
        }

        problem = channel switch
        {
            null => "empty",
            { ChannelId: null } or { Platform: null } or { ExternalId: null } => "identity fields missing",
            { Token: null } => "token missing",
            _ => null,
        };
        if (problem is not null)
        {
            return null;
        }

        // Names are shown, not trusted: a missing one falls back to the id; unknown schedule kinds are dropped.
        return channel! with
        {
            Name = channel.Name ?? channel.ChannelId!,
            Schedule = channel.Schedule?.Where(s => s.Key is not null && SyncKinds.All.Contains(s.Key) && s.Value is not null).ToDictionary(s => s.Key, s => s.Value),
        };
    }

    /// <summary>The record with an event beside the change it announces (written in the same document).</summary>
    public ChannelDocument Announcing(OrleansSocial.Webhooks.WebhookEvent @event) => this with { Outbox = [.. Outbox ?? [], @event] };

    public ChannelDocument WithOutbox(IReadOnlyList<OrleansSocial.Webhooks.WebhookEvent>? outbox) => this with { Outbox = outbox };

    public KindSchedule ScheduleOf(string kind) => Schedule?.GetValueOrDefault(kind) ?? new KindSchedule(null, null, null, null);

    public ChannelDocument WithSchedule(string kind, KindSchedule schedule)
    {
        var all = new Dictionary<string, KindSchedule>(Schedule ?? new Dictionary<string, KindSchedule>()) { [kind] = schedule };
        return this with { Schedule = all };
    }

    /// <summary>The Graph host this channel's token belongs to.</summary>
    public GraphHost Host => ChannelHosts.Of(Login);

    public ChannelView ToView(DateTimeOffset now, TimeSpan expiryWarning) => new(
        ChannelId, Platform, ExternalId, Name, Paused ? ChannelStatus.Paused : Status, TokenExpiresAt, ConnectedAt, UpdatedAt,
        TokenExpiresAt is { } expires && expires - now <= expiryWarning, TokenCheckedAt,
        [.. SyncKinds.All.Select(KindView)], ChannelLogins.Of(Login), TokenIssuedAt);

    private SyncKindView KindView(string kind)
    {
        var schedule = ScheduleOf(kind);
        return new SyncKindView(kind, schedule.LastRunAt, schedule.LastStatus, schedule.NextDue);
    }
}

/// <summary>
/// A connected account. Its record lives in the tenant's database (collection <c>channels</c>),
/// loaded at activation and written through. A reminder drives its scheduled syncs; runs are
/// activation-scoped work that persists its progress (see the partial files).
/// </summary>
/// <remarks>
/// Collected after two idle minutes rather than Orleans' default fifteen: 10,000 channels of a
/// silo sync once a day, and reactivating one costs a read of its record, so keeping idle ones
/// resident buys nothing; two minutes still covers a person browsing a channel's pages.
/// </remarks>
[CollectionAgeLimit(Minutes = 2)]
public sealed partial class ChannelGrain(
    IDocumentStore store, TokenProtector protector, GraphClient graph, SyncSlots slots, [FromKeyedServices(SyncEngineServices.ClockKey)] TimeProvider time, IOptions<SyncOptions> syncOptions, OperatorBoard board, OperatorFigures figures, ILogger<ChannelGrain> logger)
    : Grain, IChannelGrain, IRemindable
{
    // The board row this activation last wrote: a change that leaves it as it was writes nothing there.
    private BoardRow? _boardRow;

    // The one writer of the channel record: a run works beside request turns, so every change goes through it.
    private OrleansSocial.Grains.Records.TenantRecord<ChannelDocument>? _record;

    // Why the stored record could not be used, when it could not.
    private string? _damage;

    private SyncOptions Options => syncOptions.Value;

    private (string TenantId, string ChannelId) Key => TenantScope.Of(this.GetPrimaryKeyString());

    private IDocumentDatabase Database => TenantScope.Of(this.GetPrimaryKeyString()).Database(store);

    private IDocumentCollection Channels => Database.GetCollection(Collections.Channels);

    private OrleansSocial.Grains.Records.TenantRecord<ChannelDocument> Record =>
        _record ??= new(Channels, Key.ChannelId, stored => ChannelDocument.TryRead(stored, out _damage));

    private ChannelDocument? Current => Record.Current;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!await Record.LoadAsync(cancellationToken))
        {
            return;
        }

        // A damaged record must not stop the grain from activating: it is reported, reads treat the
        // channel as missing, reconnecting rewrites it and deleting removes it.
        if (Current is null)
        {
            LogDamagedRecord(logger, Key.TenantId, Key.ChannelId, _damage ?? "unreadable");
            return;
        }

        await RelayAsync();
        await EnsureListedAsync();
        await KeepBoardRowAsync();
        try
        {
            await ResumeOpenRunAsync(fromReminder: false, cancellationToken);
        }
        catch (Exception exception) when (PassingFailure.Is(exception))
        {
            // The database or the cluster could not answer for a moment (a failover's surge of
            // activations, a move, a call to a silo that just died): nothing is wrong with the run.
            // It stays open, and its resume reminder, the next tick or the next request continues it.
            LogResumeDeferred(logger, Key.TenantId, Key.ChannelId, Current.ActiveRunId, exception.GetType().Name);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogDamagedRun(logger, exception, Key.TenantId, Key.ChannelId, Current.ActiveRunId);
            await AbandonOpenRunAsync("The run's record could not be continued and was closed.");
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Going away (the silo is stopping, say): let a run finish if it is nearly done, otherwise
        // hand it off. It stays open in the database where it got to, and the resume reminder
        // brings it back on another silo within a ResumePeriod. A run being closed closes first.
        await AfterClosingAsync();
        if (_work is { } work && !work.IsCompleted)
        {
            await Task.WhenAny(work, Task.Delay(Options.ShutdownGrace, cancellationToken));
        }

        if (_work is { IsCompleted: false })
        {
            await StopRunAsync();
            await this.RegisterOrUpdateReminder(ResumeReminder, Options.ResumePeriod, Options.ResumePeriod);
            LogHandedOff(logger, Key.TenantId, Key.ChannelId, reason.ReasonCode.ToString());
        }
    }

    [LoggerMessage(EventId = 3006, Level = LogLevel.Information, Message = "Channel {ChannelId} of tenant {TenantId} deactivates ({Reason}) mid-run: the run is handed off to its next activation")]
    private static partial void LogHandedOff(ILogger logger, string tenantId, string channelId, string reason);

    public async Task<ChannelView> Connect(ChannelConnection connection)
    {
        var (tenantId, channelId) = Key;
        if (ChannelIds.For(connection.Platform, connection.ExternalId) != channelId)
        {
            throw DomainException.Invalid("channelId", "The channel id does not match the connected account.");
        }

        var now = time.GetUtcNow();
        var isNew = Current is null;
        var token = protector.Protect(connection.AccessToken, tenantId, channelId);
        var connected = OrleansSocial.Webhooks.WebhookEvent.Create(OrleansSocial.Webhooks.WebhookEventTypes.ChannelConnected, tenantId, now,
            new OrleansSocial.Webhooks.ChannelConnectedData(channelId, connection.Platform, connection.Name, !isNew));
        await UpdateAsync(current => (current is null
            ? new ChannelDocument(channelId, connection.Platform, connection.ExternalId, connection.Name, ChannelStatus.Active, false, token, connection.TokenExpiresAt, now, now,
                PageId: connection.PageId, Login: connection.Login, TokenIssuedAt: now)
            : current with { Name = connection.Name, Status = ChannelStatus.Active, Token = token, TokenExpiresAt = connection.TokenExpiresAt, UpdatedAt = now,
                // The same account connected the other way: its token now belongs to the other host, and a Page it no longer goes through is forgotten.
                PageId = connection.Login == ChannelLogins.Instagram ? null : connection.PageId ?? current.PageId, Login = connection.Login, TokenIssuedAt = now })
            .Announcing(connected));
        await RelayAsync();
        await StartScheduleAsync();
        await OpenCommentIntakeAsync(connection.AccessToken);
        if (isNew)
        {
            await TenantOf(tenantId).ChannelsChanged();
        }

        LogConnected(logger, tenantId, channelId, connection.Platform, isNew ? "connected" : "re-authorised");

        return View();
    }

    public async Task<ChannelView> Reauthorize(ChannelConnection connection)
    {
        var channel = Require();
        if (connection.Platform != channel.Platform || connection.ExternalId != channel.ExternalId)
        {
            throw DomainException.Invalid("userAccessToken", "That token does not manage this channel's account.");
        }

        return await Connect(connection);
    }

    public Task<ChannelView?> Get()
    {
        if (Current is null)
        {
            DeactivateOnIdle();
            return Task.FromResult<ChannelView?>(null);
        }

        return Task.FromResult<ChannelView?>(View());
    }

    public async Task<ChannelView> SetPaused(bool paused)
    {
        Require();
        await UpdateAsync(channel => Present(channel) with { Paused = paused, UpdatedAt = time.GetUtcNow() });
        return View();
    }

    /// <summary>
    /// Stops any run, removes the reminders, then deletes the channel and everything synced for it.
    /// Idempotent, and works on a damaged or missing record too: deleting a tenant always completes.
    /// </summary>
    public async Task Disconnect()
    {
        var channelId = Key.ChannelId;
        if (Current is null && await Channels.GetAsync(channelId, CancellationToken.None) is null)
        {
            throw DomainException.NotFound("channel", $"Channel '{channelId}' does not exist.");
        }

        await StopRunAsync();
        await StopScheduleAsync();
        await UnregisterAsync(ResumeReminder);
        await CloseCommentIntakeAsync();
        await Record.DeleteAsync();
        await board.RemoveAsync(BoardRow.ChannelKind, Key.TenantId, channelId);
        _boardRow = null;

        foreach (var collection in Collections.OwnedByChannel)
        {
            await Database.GetCollection(collection).DeleteManyAsync([FieldFilter.Eq("channelId", channelId)], CancellationToken.None);
        }

        await TenantOf(Key.TenantId).ChannelsChanged();
        DeactivateOnIdle();
    }

    private ChannelView View() => Require().ToView(time.GetUtcNow(), Options.TokenExpiryWarning);

    private ITenantGrain TenantOf(string tenantId) => GrainFactory.GetGrain<ITenantGrain>(tenantId);

    private ChannelDocument Require() => Present(Current);

    /// <summary>Changes the record atomically with respect to every other change: compute from the latest, write, assign.</summary>
    private async Task<ChannelDocument> UpdateAsync(Func<ChannelDocument?, ChannelDocument> change)
    {
        var channel = (await Record.UpdateAsync(change))!;
        await KeepBoardRowAsync();
        return channel;
    }

    /// <summary>The channel as the operator overview counts it: status, token expiry, last good daily sync.</summary>
    private async Task KeepBoardRowAsync()
    {
        if (Current is { } channel)
        {
            var status = channel.Paused ? "paused" : channel.Status == ChannelStatus.NeedsReauth ? "needs_reauth" : "active";
            _boardRow = await board.KeepAsync(_boardRow, new(BoardRow.ChannelKind, Key.TenantId, Key.ChannelId, status, channel.LastSuccess ?? channel.ConnectedAt, channel.TokenExpiresAt));
        }
    }

    /// <summary>Hands the record's announced events to the tenant's webhook endpoints; kept for the next try when that fails.</summary>
    private Task RelayAsync() =>
        Record.TryRelayAsync(GrainFactory, Database, time.GetUtcNow(), (exception, count) => LogRelayFailed(logger, exception, Key.TenantId, Key.ChannelId, count));

    [LoggerMessage(EventId = 3011, Level = LogLevel.Warning, Message = "Channel {ChannelId} of tenant {TenantId}: {Count} webhook event(s) not handed over yet; they stay in its record")]
    private static partial void LogRelayFailed(ILogger logger, Exception exception, string tenantId, string channelId, int count);

    private ChannelDocument Present(ChannelDocument? channel) =>
        channel ?? throw DomainException.NotFound("channel", $"Channel '{Key.ChannelId}' does not exist.");

    [LoggerMessage(EventId = 3010, Level = LogLevel.Information, Message = "Channel {ChannelId} ({Platform}) of tenant {TenantId} {What}")]
    private static partial void LogConnected(ILogger logger, string tenantId, string channelId, string platform, string what);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Error, Message = "Channel {ChannelId} of tenant {TenantId} has a damaged record ({Problem}): it reads as missing until reconnected or deleted")]
    private static partial void LogDamagedRecord(ILogger logger, string tenantId, string channelId, string problem);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Warning, Message = "Open run {RunId} of channel {ChannelId} of tenant {TenantId} is left open at activation ({Failure}: storage or cluster briefly unavailable); its resume reminder continues it")]
    private static partial void LogResumeDeferred(ILogger logger, string tenantId, string channelId, string? runId, string failure);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Error, Message = "Open run {RunId} of channel {ChannelId} of tenant {TenantId} could not be continued; it is closed as failed")]
    private static partial void LogDamagedRun(ILogger logger, Exception? exception, string tenantId, string channelId, string? runId);
}
