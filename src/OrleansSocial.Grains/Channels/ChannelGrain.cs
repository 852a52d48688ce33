using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using OrleansSocial.Channels;
using OrleansSocial.Graph;
using OrleansSocial.Grains.Secrets;
using OrleansSocial.Grains.Tenancy;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Naming;
using OrleansSocial.Tenancy;

namespace OrleansSocial.Grains.Channels;

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
    DateTimeOffset UpdatedAt)
{
    public ChannelView ToView() => new(ChannelId, Platform, ExternalId, Name, Paused ? ChannelStatus.Paused : Status, TokenExpiresAt, ConnectedAt, UpdatedAt);
}

/// <summary>
/// A connected account. Its record lives in the tenant's database (collection <c>channels</c>),
/// loaded at activation and written through. The sync schedule arrives with the sync engine.
/// </summary>
public sealed partial class ChannelGrain(IDocumentStore store, TokenProtector protector, GraphClient graph, TimeProvider time, ILogger<ChannelGrain> logger) : Grain, IChannelGrain
{
    public const string Collection = "channels";

    private ChannelDocument? _channel;
    private SyncRunView? _running;
    private DateTimeOffset? _lastSuccess;
    private double _syncTokens = double.NaN;
    private DateTimeOffset _syncTokensAt;

    private (string TenantId, string ChannelId) Key
    {
        get
        {
            var key = this.GetPrimaryKeyString();
            var slash = key.IndexOf('/');
            return (key[..slash], key[(slash + 1)..]);
        }
    }

    private IDocumentCollection Channels => store.GetDatabase(StorageNames.TenantDatabase(Key.TenantId)).GetCollection(Collection);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (await Channels.GetAsync(Key.ChannelId, cancellationToken) is { } stored)
        {
            _channel = TenantDocuments.FromJson<ChannelDocument>(stored);
        }
    }

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
        if (isNew)
        {
            await TenantOf(tenantId).ChannelsChanged();
        }

        return channel.ToView();
    }

    public Task<ChannelView?> Get()
    {
        if (_channel is null)
        {
            DeactivateOnIdle();
        }

        return Task.FromResult(_channel?.ToView());
    }

    public async Task<ChannelView> SetPaused(bool paused)
    {
        var channel = Require();
        await SaveAsync(channel with { Paused = paused, UpdatedAt = time.GetUtcNow() });
        return _channel!.ToView();
    }

    public async Task Disconnect()
    {
        Require();
        await Channels.DeleteAsync(Key.ChannelId, CancellationToken.None);
        _channel = null;
        await TenantOf(Key.TenantId).ChannelsChanged();
        DeactivateOnIdle();
    }

    public Task<SyncRunView> RequestSync(SyncRequest request)
    {
        var channel = Require();
        if (_running is not null)
        {
            return Task.FromResult(_running);
        }

        if (channel.Paused || channel.Status == ChannelStatus.NeedsReauth)
        {
            throw new DomainException(ProblemKind.Conflict, channel.Paused ? "The channel is paused." : "The channel needs re-authorisation: PUT its token first.");
        }

        TakeSyncToken(Math.Max(1, request.ManualSyncsPerHour));
        var kinds = request.Kinds.Count == 0 ? ["daily"] : request.Kinds.Distinct().ToList();
        if (kinds.FirstOrDefault(k => k is not ("daily" or "weekly" or "monthly")) is { } unknown)
        {
            throw DomainException.Invalid("kinds", $"'{unknown}' is not a sync kind: daily, weekly or monthly.");
        }

        var now = time.GetUtcNow();
        _running = new SyncRunView($"{TenantDocuments.Timestamp(now)}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}", "manual", kinds, now, null, SyncRunStatus.Running, 0, 0, null);
        // The run is activation-scoped work: the request returns now; the run records itself when done.
        DelayDeactivation(TimeSpan.FromMinutes(10));
        _ = RunAsync(_running, channel);
        return Task.FromResult(_running);
    }

    /// <summary>
    /// A token bucket per channel sized by the plan: <paramref name="perHour"/> manual syncs, refilled
    /// continuously. Throttled requests learn when the next one is allowed.
    /// </summary>
    private void TakeSyncToken(int perHour)
    {
        var now = time.GetUtcNow();
        var perSecond = perHour / 3600.0;
        _syncTokens = double.IsNaN(_syncTokens) ? perHour : Math.Min(perHour, _syncTokens + (now - _syncTokensAt).TotalSeconds * perSecond);
        _syncTokensAt = now;
        if (_syncTokens < 1)
        {
            var seconds = (int)Math.Ceiling((1 - _syncTokens) / perSecond);
            throw new DomainException(ProblemKind.Throttled, $"This channel allows {perHour} manual syncs per hour; the next one in {seconds} s.", seconds.ToString(CultureInfo.InvariantCulture));
        }

        _syncTokens -= 1;
    }

    private async Task RunAsync(SyncRunView run, ChannelDocument channel)
    {
        var (tenantId, channelId) = Key;
        var database = store.GetDatabase(StorageNames.TenantDatabase(tenantId));
        var sync = new DailySync(graph, database, time);
        SyncRunView finished;
        try
        {
            var token = protector.Unprotect(channel.Token, tenantId, channelId);
            await sync.RunAsync(channelId, channel.Platform, channel.ExternalId, token, _lastSuccess, CancellationToken.None);
            _lastSuccess = run.StartedAt;
            var rejected = sync.RejectedMetrics.Count > 0 ? $"metrics rejected by the API and skipped: {string.Join(", ", sync.RejectedMetrics)}" : null;
            finished = run with { Status = SyncRunStatus.Succeeded, FinishedAt = time.GetUtcNow(), GraphCalls = sync.Calls, ItemsWritten = sync.Items, Error = rejected };
        }
        catch (GraphException exception)
        {
            if (exception.Kind == GraphErrorKind.TokenInvalid)
            {
                await SaveAsync(Require() with { Status = ChannelStatus.NeedsReauth, UpdatedAt = time.GetUtcNow() });
            }

            LogSyncFailed(logger, tenantId, channelId, exception.Kind, exception.Code);
            finished = run with { Status = SyncRunStatus.Failed, FinishedAt = time.GetUtcNow(), GraphCalls = sync.Calls, ItemsWritten = sync.Items, Error = $"{exception.Kind} (Graph code {exception.Code}): {exception.Message}" };
        }
        catch (Exception exception) when (exception is TokenProtectionException or DatabaseNotFoundException)
        {
            LogSyncFailed(logger, tenantId, channelId, GraphErrorKind.Unknown, null);
            finished = run with { Status = SyncRunStatus.Failed, FinishedAt = time.GetUtcNow(), GraphCalls = sync.Calls, ItemsWritten = sync.Items, Error = exception.GetType().Name };
        }

        // The run is over before its record is written: a request arriving during that write starts
        // a new run instead of being handed the finished one as if it were still going.
        _running = null;
        await database.GetCollection(SyncCollections.SyncRuns).UpsertAsync(finished.SyncRunId,
            TenantDocuments.ToJson(new { channelId, run = finished, startedAt = TenantDocuments.Timestamp(finished.StartedAt) }), CancellationToken.None);
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Sync of channel {ChannelId} of tenant {TenantId} failed: {Kind} (Graph code {Code})")]
    private static partial void LogSyncFailed(ILogger logger, string tenantId, string channelId, GraphErrorKind kind, int? code);

    private ITenantGrain TenantOf(string tenantId) => GrainFactory.GetGrain<ITenantGrain>(tenantId);

    private ChannelDocument Require() =>
        _channel ?? throw DomainException.NotFound("channel", $"Channel '{Key.ChannelId}' does not exist.");

    private async Task SaveAsync(ChannelDocument channel)
    {
        await Channels.UpsertAsync(channel.ChannelId, TenantDocuments.ToJson(channel), CancellationToken.None);
        _channel = channel;
    }
}
