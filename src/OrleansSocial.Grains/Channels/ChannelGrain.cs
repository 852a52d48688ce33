using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansSocial.Channels;
using OrleansSocial.Graph;
using OrleansSocial.Grains.Channels.Scheduling;
using OrleansSocial.Grains.Secrets;
using OrleansSocial.Grains.Tenancy;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Naming;
using OrleansSocial.Tenancy;

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
    ManualSyncBucket? ManualSyncs = null)
{
    public KindSchedule ScheduleOf(string kind) => Schedule?.GetValueOrDefault(kind) ?? new KindSchedule(null, null, null, null);

    public ChannelDocument WithSchedule(string kind, KindSchedule schedule)
    {
        var all = new Dictionary<string, KindSchedule>(Schedule ?? new Dictionary<string, KindSchedule>()) { [kind] = schedule };
        return this with { Schedule = all };
    }

    public ChannelView ToView(DateTimeOffset now, TimeSpan expiryWarning) => new(
        ChannelId, Platform, ExternalId, Name, Paused ? ChannelStatus.Paused : Status, TokenExpiresAt, ConnectedAt, UpdatedAt,
        TokenExpiresAt is { } expires && expires - now <= expiryWarning, TokenCheckedAt,
        [.. SyncKinds.All.Select(KindView)]);

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
public sealed partial class ChannelGrain(
    IDocumentStore store, TokenProtector protector, GraphClient graph, [FromKeyedServices(SyncEngineServices.ClockKey)] TimeProvider time, IOptions<SyncOptions> syncOptions, ILogger<ChannelGrain> logger)
    : Grain, IChannelGrain, IRemindable
{
    public const string Collection = "channels";

    private ChannelDocument? _channel;

    private SyncOptions Options => syncOptions.Value;

    private (string TenantId, string ChannelId) Key
    {
        get
        {
            var key = this.GetPrimaryKeyString();
            var slash = key.IndexOf('/');
            return (key[..slash], key[(slash + 1)..]);
        }
    }

    private IDocumentDatabase Database => store.GetDatabase(StorageNames.TenantDatabase(Key.TenantId));

    private IDocumentCollection Channels => Database.GetCollection(Collection);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (await Channels.GetAsync(Key.ChannelId, cancellationToken) is { } stored)
        {
            _channel = TenantDocuments.FromJson<ChannelDocument>(stored);
            await ResumeOpenRunAsync(fromReminder: false, cancellationToken);
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Going away (the silo is stopping, say): let a run finish if it is nearly done, otherwise
        // hand it off. It stays open in the database where it got to, and the resume reminder
        // brings it back on another silo within a ResumePeriod.
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
        var isNew = _channel is null;
        var token = protector.Protect(connection.AccessToken, tenantId, channelId);
        var channel = _channel is null
            ? new ChannelDocument(channelId, connection.Platform, connection.ExternalId, connection.Name, ChannelStatus.Active, false, token, connection.TokenExpiresAt, now, now)
            : _channel with { Name = connection.Name, Status = ChannelStatus.Active, Token = token, TokenExpiresAt = connection.TokenExpiresAt, UpdatedAt = now };
        await SaveAsync(channel);
        await StartScheduleAsync();
        if (isNew)
        {
            await TenantOf(tenantId).ChannelsChanged();
        }

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
        if (_channel is null)
        {
            DeactivateOnIdle();
            return Task.FromResult<ChannelView?>(null);
        }

        return Task.FromResult<ChannelView?>(View());
    }

    public async Task<ChannelView> SetPaused(bool paused)
    {
        var channel = Require();
        await SaveAsync(channel with { Paused = paused, UpdatedAt = time.GetUtcNow() });
        return View();
    }

    /// <summary>Stops any run, removes the reminders, then deletes the channel and everything synced for it.</summary>
    public async Task Disconnect()
    {
        Require();
        var channelId = Key.ChannelId;
        await StopRunAsync();
        await StopScheduleAsync();
        await UnregisterAsync(ResumeReminder);
        await Channels.DeleteAsync(channelId, CancellationToken.None);
        _channel = null;
        foreach (var collection in Sync.SyncCollections.OwnedByChannel)
        {
            await Database.GetCollection(collection).DeleteManyAsync([FieldFilter.Eq("channelId", channelId)], CancellationToken.None);
        }

        await TenantOf(Key.TenantId).ChannelsChanged();
        DeactivateOnIdle();
    }

    private ChannelView View() => Require().ToView(time.GetUtcNow(), Options.TokenExpiryWarning);

    private ITenantGrain TenantOf(string tenantId) => GrainFactory.GetGrain<ITenantGrain>(tenantId);

    private ChannelDocument Require() =>
        _channel ?? throw DomainException.NotFound("channel", $"Channel '{Key.ChannelId}' does not exist.");

    private async Task SaveAsync(ChannelDocument channel)
    {
        await Channels.UpsertAsync(channel.ChannelId, TenantDocuments.ToJson(channel), CancellationToken.None);
        _channel = channel;
    }
}
