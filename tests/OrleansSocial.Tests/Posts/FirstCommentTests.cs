using System.Net;
using System.Text.Json;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Posts;

/// <summary>
/// A post's first comment: posted on each publication right after it lands, as the Page or the
/// account, exactly once even when the connection drops after the platform acted; a first comment
/// the platform refuses leaves the publication published; bad text is refused at the edge.
/// </summary>
public sealed class FirstCommentTests(PublishingHost host) : IClassFixture<PublishingHost>
{
    private const string Page = "fb-100000000000000";
    private const string PageId = "100000000000000";
    private const string Instagram = "ig-17841400000000000";
    private const string InstagramId = "17841400000000000";

    private ApiClient Api => host.Api;

    private static string Unique(string text) => $"{text} {Guid.NewGuid():N}";

    private Task<ApiClient.Tenant> TenantAsync() => host.TenantWithChannelsAsync();

    private static JsonElement Publication(JsonElement post, string channelId) =>
        post.GetProperty("publications").EnumerateArray().Single(p => p.GetProperty("channelId").GetString() == channelId);

    private async Task<List<JsonElement>> CommentsOnAsync(string objectId, string message) =>
        [.. JsonDocument.Parse(await host.Emulator.GetStringAsync($"/__emulator/objects/{objectId}/comments")).RootElement.EnumerateArray()
            .Where(c => c.GetProperty("message").GetString() == message).Select(c => c.Clone())];

    [Fact]
    public async Task A_first_comment_lands_once_on_the_page_post_and_on_the_instagram_medium_as_the_account()
    {
        var tenant = await TenantAsync();
        var comment = Unique("Recipe in the link in bio");
        var post = await host.PublishNowAsync(tenant, new
        {
            channelIds = new[] { Page, Instagram },
            text = Unique("Sourdough Sunday"),
            mediaUrls = new[] { "https://images.example.com/loaf.jpg" },
            firstComment = comment,
        });

        foreach (var (channel, owner) in new[] { (Page, PageId), (Instagram, InstagramId) })
        {
            var publication = Publication(post, channel);
            Assert.Equal("published", publication.GetProperty("status").GetString());
            var first = publication.GetProperty("firstComment");
            Assert.Equal("posted", first.GetProperty("status").GetString());
            var landed = Assert.Single(await CommentsOnAsync(publication.GetProperty("platformPostId").GetString()!, comment));
            Assert.Equal(first.GetProperty("commentId").GetString(), landed.GetProperty("id").GetString());
            Assert.Equal(owner, landed.GetProperty("fromId").GetString());
        }
    }

    [Fact]
    public async Task A_first_comment_whose_connection_drops_after_the_platform_acted_is_one_comment()
    {
        var tenant = await TenantAsync();
        var comment = Unique("Order by Friday noon");
        // Any comment write on the Page's posts: Graph makes it, then the answer is lost.
        await host.FaultAsync(new { method = "POST", pathPrefix = $"{PageId}_", dropAfterProcessing = true, remaining = 1 });
        var post = await host.PublishNowAsync(tenant, new { channelIds = new[] { Page }, text = Unique("Weekend menu"), firstComment = comment });
        var postId = post.GetProperty("postId").GetString()!;

        var publication = Publication(post, Page);

        Assert.Equal("published", publication.GetProperty("status").GetString());
        Assert.Equal("posted", publication.GetProperty("firstComment").GetProperty("status").GetString());
        var landed = Assert.Single(await CommentsOnAsync(publication.GetProperty("platformPostId").GetString()!, comment));
        Assert.Equal(publication.GetProperty("firstComment").GetProperty("commentId").GetString(), landed.GetProperty("id").GetString());
        Assert.Contains(host.Host.Logs.Lines, l => l.Contains(postId, StringComparison.Ordinal) && l.Contains("first comment", StringComparison.Ordinal) && l.Contains("adopted: True", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_first_comment_the_platform_refuses_fails_alone_and_the_publication_stays_published()
    {
        var tenant = await TenantAsync();
        await host.FaultAsync(new { method = "POST", pathPrefix = $"{PageId}_", code = 200, message = "(#200) Permissions error", remaining = 1 });
        var publication = Publication(await host.PublishNowAsync(tenant, new { channelIds = new[] { Page }, text = Unique("Opening hours"), firstComment = Unique("Closed on Mondays") }), Page);

        Assert.Equal("published", publication.GetProperty("status").GetString());
        var first = publication.GetProperty("firstComment");
        Assert.Equal("failed", first.GetProperty("status").GetString());
        Assert.Contains("200", first.GetProperty("failureReason").GetString());
    }

    [Theory]
    [InlineData("   ")]
    [InlineData("")]
    public async Task A_blank_or_overlong_first_comment_is_refused_naming_the_field(string text)
    {
        var tenant = await TenantAsync();
        foreach (var firstComment in new[] { text, new string('x', 2_201) })
        {
            var response = await Api.TenantAsync(HttpMethod.Post, "/api/posts", tenant.Id, tenant.OwnerKey, new { channelIds = new[] { Page }, text = "Hello", firstComment });
            var problem = await ProblemAssert.IsProblemAsync(response, 400);
            Assert.Contains("firstComment", problem.GetRawText());
        }
    }
}
