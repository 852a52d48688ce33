using OrleansSocial.Channels;
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
public sealed class ChannelGrain(IDocumentStore store, TokenProtector protector, TimeProvider time) : Grain, IChannelGrain
{
    public const string Collection = "channels";

    private ChannelDocument? _channel;

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
        var token = protector.Protect(connection.AccessToken, tenantId, channelId);
        var channel = _channel is null
            ? new ChannelDocument(channelId, connection.Platform, connection.ExternalId, connection.Name, ChannelStatus.Active, false, token, connection.TokenExpiresAt, now, now)
            : _channel with { Name = connection.Name, Status = ChannelStatus.Active, Token = token, TokenExpiresAt = connection.TokenExpiresAt, UpdatedAt = now };
        await SaveAsync(channel);
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
        DeactivateOnIdle();
    }

    private ChannelDocument Require() =>
        _channel ?? throw DomainException.NotFound("channel", $"Channel '{Key.ChannelId}' does not exist.");

    private async Task SaveAsync(ChannelDocument channel)
    {
        await Channels.UpsertAsync(channel.ChannelId, TenantDocuments.ToJson(channel), CancellationToken.None);
        _channel = channel;
    }
}
