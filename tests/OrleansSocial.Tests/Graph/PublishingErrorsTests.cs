using OrleansSocial.Graph;

namespace OrleansSocial.Tests.Graph;

/// <summary>The publishing meaning of Graph's error codes, read in the Graph project (not in the grains).</summary>
public sealed class PublishingErrorsTests
{
    [Theory]
    [InlineData(190, null, PublishingRefusal.TokenInvalid)]
    [InlineData(10, null, PublishingRefusal.PermissionMissing)]
    [InlineData(200, null, PublishingRefusal.PermissionMissing)]
    [InlineData(9007, 2207027, PublishingRefusal.MediaNotReady)]
    [InlineData(506, null, PublishingRefusal.Duplicate)]
    [InlineData(36000, null, PublishingRefusal.InvalidMedia)]
    [InlineData(-1, null, PublishingRefusal.InvalidMedia)]
    [InlineData(100, 2207004, PublishingRefusal.InvalidMedia)]
    [InlineData(100, 2207020, PublishingRefusal.InvalidMedia)]
    [InlineData(9, 2207042, PublishingRefusal.PublishingLimit)]
    [InlineData(100, null, PublishingRefusal.Rejected)]
    public void Each_code_means_what_the_contract_says(int code, int? subcode, PublishingRefusal expected)
    {
        var exception = new GraphException(GraphException.Classify(code, isTransient: false), "refused", code, subcode, null, false, 400, GraphUsage.None);

        Assert.Equal(expected, exception.Refusal());
    }
}
