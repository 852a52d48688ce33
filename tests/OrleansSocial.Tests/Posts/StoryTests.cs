using System.Net;
using System.Text.Json;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Posts;

/// <summary>
/// Instagram stories as a post variant: an image and a video story land on the account as stories
/// (no caption), a story takes no first comment, and the platform's rules are checked at the edge.
/// </summary>
public sealed class StoryTests(PublishingHost host) : IClassFixture<PublishingHost>
{
    private const string Page = "fb-100000000000000";
    private const string Instagram = "ig-17841400000000000";
    private const string InstagramId = "17841400000000000";

    private ApiClient Api => host.Api;

    private static string Unique(string text) => $"{text} {Guid.NewGuid():N}";

    private Task<ApiClient.Tenant> TenantAsync() => host.TenantWithChannelsAsync();

    private Task<JsonElement> PublishedAsync(ApiClient.Tenant tenant, object body) => host.PublishNowAsync(tenant, body);

    private static JsonElement Publication(JsonElement post, string channelId) =>
        post.GetProperty("publications").EnumerateArray().Single(p => p.GetProperty("channelId").GetString() == channelId);

    [Theory]
    [InlineData("https://images.example.com/story.jpg")]
    [InlineData("https://video.example.com/story.mp4")]
    public async Task An_image_or_video_story_lands_on_the_account_as_a_story(string media)
    {
        var tenant = await TenantAsync();
        var post = await PublishedAsync(tenant, new
        {
            channelIds = new[] { Instagram },
            text = Unique("Behind the counter"),
            variants = new Dictionary<string, object> { [Instagram] = new { story = true, mediaUrls = new[] { media } } },
        });

        var publication = Publication(post, Instagram);
        Assert.Equal("published", publication.GetProperty("status").GetString());
        var landed = JsonDocument.Parse(await host.Emulator.GetStringAsync($"/__emulator/publications?ownerId={InstagramId}")).RootElement.EnumerateArray()
            .Single(p => p.GetProperty("objectId").GetString() == publication.GetProperty("platformPostId").GetString());
        Assert.Equal("story", landed.GetProperty("kind").GetString());
        Assert.Equal("", landed.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_story_whose_publish_answer_is_lost_is_found_among_the_stories_and_adopted_once()
    {
        var tenant = await TenantAsync();
        // Graph publishes the story, then the answer is lost: the next step finds the container
        // published and looks for the story under /stories (a story is not listed under /media).
        await host.FaultAsync(new { method = "POST", pathPrefix = $"{InstagramId}/media_publish", dropAfterProcessing = true, remaining = 1 });
        var post = await PublishedAsync(tenant, new
        {
            channelIds = new[] { Instagram },
            mediaUrls = new[] { "https://images.example.com/counter.jpg" },
            variants = new Dictionary<string, object> { [Instagram] = new { story = true } },
        });

        var publication = Publication(post, Instagram);
        Assert.Equal("published", publication.GetProperty("status").GetString());
        var stories = JsonDocument.Parse(await host.Emulator.GetStringAsync($"/__emulator/publications?ownerId={InstagramId}")).RootElement.EnumerateArray()
            .Where(p => p.GetProperty("kind").GetString() == "story" && p.GetProperty("objectId").GetString() == publication.GetProperty("platformPostId").GetString()).ToList();
        Assert.Single(stories);
    }

    [Fact]
    public async Task A_story_takes_no_first_comment_while_the_page_post_of_the_same_post_gets_it()
    {
        var tenant = await TenantAsync();
        var post = await PublishedAsync(tenant, new
        {
            channelIds = new[] { Page, Instagram },
            text = Unique("New bakes"),
            mediaUrls = new[] { "https://images.example.com/bakes.jpg" },
            variants = new Dictionary<string, object> { [Instagram] = new { story = true } },
            firstComment = Unique("All gone by ten"),
        });

        Assert.Equal("posted", Publication(post, Page).GetProperty("firstComment").GetProperty("status").GetString());
        var story = Publication(post, Instagram);
        Assert.Equal("published", story.GetProperty("status").GetString());
        Assert.True(!story.TryGetProperty("firstComment", out var none) || none.ValueKind == JsonValueKind.Null);
    }

    [Fact]
    public async Task A_story_on_facebook_or_with_two_media_is_refused_naming_the_field()
    {
        var tenant = await TenantAsync();
        var onFacebook = await Api.TenantAsync(HttpMethod.Post, "/api/posts", tenant.Id, tenant.OwnerKey, new
        {
            channelIds = new[] { Page },
            text = "Hello",
            mediaUrls = new[] { "https://images.example.com/a.jpg" },
            variants = new Dictionary<string, object> { [Page] = new { story = true } },
        });
        Assert.Contains($"variants.{Page}.story", (await ProblemAssert.IsProblemAsync(onFacebook, 400)).GetRawText());

        var twoMedia = await Api.TenantAsync(HttpMethod.Post, "/api/posts", tenant.Id, tenant.OwnerKey, new
        {
            channelIds = new[] { Instagram },
            mediaUrls = new[] { "https://images.example.com/a.jpg", "https://images.example.com/b.jpg" },
            variants = new Dictionary<string, object> { [Instagram] = new { story = true } },
        });
        Assert.Contains($"variants.{Instagram}.mediaUrls", (await ProblemAssert.IsProblemAsync(twoMedia, 400)).GetRawText());
    }
}
