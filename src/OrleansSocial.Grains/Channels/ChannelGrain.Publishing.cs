using OrleansSocial.Channels;

namespace OrleansSocial.Grains.Channels;

/// <summary>What posts ask of their channel when they publish: may it, with which token; and the token was refused.</summary>
public sealed partial class ChannelGrain
{
    public Task<PublishingAccess> OpenPublishing()
    {
        if (Current is not { } channel)
        {
            return Task.FromResult(PublishingAccess.Missing);
        }

        var status = channel.Paused ? ChannelStatus.Paused : channel.Status;
        var token = status == ChannelStatus.Active ? protector.Unprotect(channel.Token, Key.TenantId, Key.ChannelId) : null;
        return Task.FromResult(new PublishingAccess(true, status, channel.Platform, channel.ExternalId, token, ChannelLogins.Of(channel.Login)));
    }

    public async Task TokenRejected(int? code, int? subcode)
    {
        if (Current is not null)
        {
            await MarkNeedsReauthAsync($"publishing: Graph code {code}/{subcode}");
        }
    }
}
