using OrleansSocial.Channels;
using OrleansSocial.Posts;
using OrleansSocial.Tenancy;

namespace OrleansSocial.Tests.Posts;

/// <summary>Per-platform publishing rules, as a table of what each platform refuses and why.</summary>
public sealed class PostRulesTests
{
    private const string Image = "https://cdn.example/p.jpg";
    private const string Video = "https://cdn.example/v.mp4";

    private static string FieldOf(string platform, PublicationContent content, string prefix = "") =>
        Assert.Throws<DomainException>(() => PostRules.Validate(platform, content, prefix)).Subject!;

    private static PublicationContent Content(string? text = null, string? link = null, params string[] media) => new(text, link, media);

    [Fact]
    public void Instagram_needs_an_image_or_a_video()
    {
        Assert.Equal("mediaUrls", FieldOf(ChannelIds.Instagram, Content("just words")));
        PostRules.Validate(ChannelIds.Instagram, Content("a caption", null, Image));
        PostRules.Validate(ChannelIds.Instagram, Content("a reel", null, Video));
    }

    [Fact]
    public void Instagram_captions_have_limits_on_length_hashtags_and_mentions()
    {
        PostRules.Validate(ChannelIds.Instagram, Content(new string('a', PostRules.InstagramCaptionMax), null, Image));
        Assert.Equal("text", FieldOf(ChannelIds.Instagram, Content(new string('a', PostRules.InstagramCaptionMax + 1), null, Image)));

        var thirty = string.Join(' ', Enumerable.Range(0, 30).Select(i => $"#tag{i}"));
        PostRules.Validate(ChannelIds.Instagram, Content(thirty, null, Image));
        Assert.Equal("text", FieldOf(ChannelIds.Instagram, Content(thirty + " #one_more", null, Image)));

        var twenty = string.Join(' ', Enumerable.Range(0, 20).Select(i => $"@user.{i}"));
        PostRules.Validate(ChannelIds.Instagram, Content(twenty + " mail@example.com", null, Image));
        Assert.Equal("text", FieldOf(ChannelIds.Instagram, Content(twenty + " @extra", null, Image)));
    }

    [Fact]
    public void Facebook_messages_have_a_length_limit_and_need_something_to_post()
    {
        PostRules.Validate(ChannelIds.Facebook, Content(new string('a', PostRules.FacebookMessageMax)));
        Assert.Equal("text", FieldOf(ChannelIds.Facebook, Content(new string('a', PostRules.FacebookMessageMax + 1))));
        Assert.Equal("text", FieldOf(ChannelIds.Facebook, Content()));
        PostRules.Validate(ChannelIds.Facebook, Content(null, "https://example.com/article"));
        PostRules.Validate(ChannelIds.Facebook, Content(null, null, Image, Image));
        Assert.Equal("mediaUrls", FieldOf(ChannelIds.Facebook, Content("video", null, Video)));
    }

    [Theory]
    [InlineData("http://cdn.example/p.jpg")]
    [InlineData("ftp://cdn.example/p.jpg")]
    [InlineData("/relative.jpg")]
    [InlineData("https://")]
    public void Media_urls_are_absolute_https(string url)
    {
        Assert.Equal("mediaUrls[1]", FieldOf(ChannelIds.Instagram, Content("x", null, Image, url)));
        Assert.Equal("variants.ig-1.mediaUrls[1]", FieldOf(ChannelIds.Instagram, Content("x", null, Image, url), "variants.ig-1."));
    }

    [Fact]
    public void A_carousel_holds_at_most_ten_items()
    {
        PostRules.Validate(ChannelIds.Instagram, Content("x", null, [.. Enumerable.Repeat(Image, 10)]));
        Assert.Equal("mediaUrls", FieldOf(ChannelIds.Instagram, Content("x", null, [.. Enumerable.Repeat(Image, 11)])));
        Assert.Equal("mediaUrls", FieldOf(ChannelIds.Facebook, Content("x", null, [.. Enumerable.Repeat(Image, 11)])));
    }

    [Fact]
    public void Schedules_are_in_the_future_and_within_the_horizon()
    {
        var now = new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
        PostRules.ValidateSchedule(now.AddMinutes(1), now);
        PostRules.ValidateSchedule(now + PostRules.SchedulingHorizon, now);
        Assert.Equal("scheduledAt", Assert.Throws<DomainException>(() => PostRules.ValidateSchedule(now, now)).Subject);
        Assert.Equal("scheduledAt", Assert.Throws<DomainException>(() => PostRules.ValidateSchedule(now + PostRules.SchedulingHorizon + TimeSpan.FromSeconds(1), now)).Subject);
    }
}
