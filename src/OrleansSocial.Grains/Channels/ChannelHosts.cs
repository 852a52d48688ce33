using OrleansSocial.Channels;
using OrleansSocial.Graph;

namespace OrleansSocial.Grains.Channels;

/// <summary>Which Graph host serves a channel: the one its token was issued for (see <see cref="ChannelLogins"/>).</summary>
internal static class ChannelHosts
{
    public static GraphHost Of(string? login) => ChannelLogins.Of(login) == ChannelLogins.Instagram ? GraphHost.Instagram : GraphHost.Facebook;

    /// <summary>The client for the channel behind <paramref name="access"/>: its token works on that host only.</summary>
    public static GraphClient For(this GraphClient graph, PublishingAccess access) => graph.On(Of(access.Login));
}
