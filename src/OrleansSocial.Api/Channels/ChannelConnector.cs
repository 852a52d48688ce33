using OrleansSocial.Channels;
using OrleansSocial.Graph;
using OrleansSocial.Graph.Models;
using OrleansSocial.Tenancy;

namespace OrleansSocial.Api.Channels;

/// <summary>
/// Connects a user's accounts: exchanges the user token for a long-lived one, discovers the
/// Pages (and their linked Instagram business accounts), and creates or refreshes one channel
/// grain each, within the plan's channel limit, audited in the tenant's log.
/// </summary>
public sealed class ChannelConnector(GraphClient graph, IGrainFactory grains)
{
    public async Task<IReadOnlyList<ChannelView>> ConnectAsync(string tenantId, Actor actor, string platform, string userAccessToken, CancellationToken cancellationToken)
    {
        ValidateUserToken(userAccessToken);
        var accounts = await DiscoverAsync(platform, userAccessToken, cancellationToken);
        var tenant = grains.GetGrain<ITenantGrain>(tenantId);
        // The limit is checked in the tenant grain's turn: two connects at once cannot both squeeze in.
        await tenant.AdmitChannels(actor, [.. accounts.Select(a => ChannelIds.For(platform, a.ExternalId))]);

        var views = new List<ChannelView>();
        foreach (var account in accounts)
        {
            var channelId = ChannelIds.For(platform, account.ExternalId);
            var view = await grains.GetGrain<IChannelGrain>(ChannelIds.GrainKey(tenantId, channelId)).Connect(account);
            await tenant.RecordAudit(actor, "channel.connected", channelId, "success", account.Name);
            views.Add(view);
        }

        return views;
    }

    /// <summary>
    /// <c>PUT /api/channels/{id}/token</c>: the user token must still manage this channel's account;
    /// the channel takes the fresh token and is active again.
    /// </summary>
    public async Task<ChannelView> ReauthorizeAsync(string tenantId, Actor actor, string channelId, string userAccessToken, CancellationToken cancellationToken)
    {
        ValidateUserToken(userAccessToken);
        var channel = grains.GetGrain<IChannelGrain>(ChannelIds.GrainKey(tenantId, channelId));
        var current = await channel.Get() ?? throw DomainException.NotFound("channel", $"Channel '{channelId}' does not exist.");
        var account = (await DiscoverAsync(current.Platform, userAccessToken, cancellationToken)).FirstOrDefault(a => a.ExternalId == current.ExternalId)
            ?? throw DomainException.Invalid("userAccessToken", "That user does not manage this channel's account.");
        var view = await channel.Reauthorize(account);
        await grains.GetGrain<ITenantGrain>(tenantId).RecordAudit(actor, "channel.reauthorized", channelId, "success", null);
        return view;
    }

    private static void ValidateUserToken(string userAccessToken)
    {
        if (string.IsNullOrWhiteSpace(userAccessToken) || userAccessToken.Length > 1000)
        {
            throw DomainException.Invalid("userAccessToken", "userAccessToken must be a Facebook user access token.");
        }
    }

    private async Task<List<ChannelConnection>> DiscoverAsync(string platform, string userAccessToken, CancellationToken cancellationToken)
    {
        try
        {
            var longLived = (await graph.ExchangeForLongLivedTokenAsync(userAccessToken, cancellationToken)).Value;
            var connections = new List<ChannelConnection>();
            await foreach (var page in graph.GetAccountsAsync(longLived.AccessToken, cancellationToken: cancellationToken))
            {
                foreach (var account in page.Items.Where(a => a.AccessToken is not null))
                {
                    if (platform == ChannelIds.Facebook)
                    {
                        // Page tokens from a long-lived user token do not expire.
                        connections.Add(new ChannelConnection(platform, account.Id, account.Name ?? account.Id, account.AccessToken!, null));
                    }
                    else if (account.InstagramBusinessAccount is { } ig)
                    {
                        var profile = (await graph.GetInstagramAccountAsync(ig.Id, account.AccessToken!, cancellationToken)).Value;
                        connections.Add(new ChannelConnection(platform, ig.Id, profile.Username ?? profile.Name ?? ig.Id, account.AccessToken!, null));
                    }
                }
            }

            return connections;
        }
        catch (GraphException exception) when (exception.Kind is GraphErrorKind.TokenInvalid or GraphErrorKind.InvalidRequest or GraphErrorKind.PermissionMissing)
        {
            throw DomainException.Invalid("userAccessToken", $"Facebook refused the user access token ({exception.Kind}, code {exception.Code}).");
        }
    }
}
