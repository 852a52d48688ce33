using OrleansSocial.Channels;
using OrleansSocial.Grains.Channels;
using OrleansSocial.Grains.Secrets;

namespace OrleansSocial.Tests.Channels;

public sealed class TokenHealthTests
{
    private static readonly DateTimeOffset Now = new(2028, 2, 28, 12, 0, 0, TimeSpan.Zero);

    private static ChannelView ViewExpiringAt(DateTimeOffset? expiresAt) =>
        new ChannelDocument("fb-1", ChannelIds.Facebook, "1", "Page", ChannelStatus.Active, false, new ProtectedToken("k1", "bm9uY2U=", "Y2lwaGVy", "dGFn"), expiresAt, Now, Now)
            .ToView(Now, TimeSpan.FromDays(7));

    [Fact]
    public void A_token_expiring_within_seven_days_is_flagged_and_one_that_never_expires_is_not()
    {
        Assert.True(ViewExpiringAt(Now.AddDays(3)).TokenExpiringSoon);
        Assert.True(ViewExpiringAt(Now.AddDays(-1)).TokenExpiringSoon);
        Assert.False(ViewExpiringAt(Now.AddDays(8)).TokenExpiringSoon);
        Assert.False(ViewExpiringAt(null).TokenExpiringSoon);
    }
}
