using OrleansSocial.Tenancy;

namespace OrleansSocial.Channels;

/// <summary>
/// Connects a user's accounts to a tenant (key: the tenant id): exchanges the user token for a
/// long-lived one, discovers the Pages (and their linked Instagram business accounts) through the
/// app's rate budget like every other Graph call, and creates or refreshes one channel grain each.
/// Stateless: any silo may run any number of them.
/// </summary>
[Alias("OrleansSocial.IChannelConnectorGrain")]
public interface IChannelConnectorGrain : IGrainWithStringKey
{
    [Alias("Connect")]
    Task<IReadOnlyList<ChannelView>> Connect(Actor actor, string platform, string userAccessToken);

    /// <summary>
    /// <c>POST /api/channels/instagram-login</c>: a short-lived Instagram Login token, exchanged for a
    /// long-lived one; the account it acts for becomes (or refreshes) one channel.
    /// </summary>
    [Alias("ConnectInstagramLogin")]
    Task<ChannelView> ConnectInstagramLogin(Actor actor, string accessToken);

    /// <summary>
    /// <c>PUT /api/channels/{id}/token</c>: the user token must still manage this channel's account (for an
    /// Instagram Login channel, a short-lived Instagram Login token of the same account).
    /// </summary>
    [Alias("Reauthorize")]
    Task<ChannelView> Reauthorize(Actor actor, string channelId, string userAccessToken);
}
