using System.Text.RegularExpressions;
using OrleansSocial.Channels;
using OrleansSocial.Tenancy;

namespace OrleansSocial.Posts;

/// <summary>What one channel would publish: the post's content, or its variant for that channel.</summary>
public sealed record PublicationContent(string? Text, string? Link, IReadOnlyList<string> MediaUrls, bool Story = false);

/// <summary>
/// What each platform accepts, as pure rules (docs/graph-api.md, "Publishing"): Instagram needs
/// an image or a video and takes at most 2,200 caption characters, 30 hashtags and 20 mentions; a
/// Facebook message is at most 63,206 characters and Facebook media are images (the contract has no
/// Page video upload); a carousel or multi-photo post holds at most 10 items; media URLs are public
/// https URLs (Meta fetches them). Each refusal is a 400 naming the field. Not yet used by a route:
/// publishing (#12) builds on it.
/// </summary>
public static partial class PostRules
{
    public const int InstagramCaptionMax = 2_200;
    public const int InstagramHashtagsMax = 30;
    public const int InstagramMentionsMax = 20;
    public const int FacebookMessageMax = 63_206;
    public const int MediaItemsMax = 10;
    public const int MediaUrlMax = 2_048;

    /// <summary>Instagram's limit on a comment; Facebook's is higher, and one first comment goes to every channel.</summary>
    public const int FirstCommentMax = 2_200;

    /// <summary>How far ahead a post may be scheduled. Our grains publish at the due time, so Facebook's own window does not apply.</summary>
    public static readonly TimeSpan SchedulingHorizon = TimeSpan.FromDays(180);

    private static readonly string[] VideoExtensions = [".mp4", ".mov", ".m4v"];

    /// <summary>A first comment is words: not blank, within the strictest platform's limit.</summary>
    public static void ValidateFirstComment(string? firstComment)
    {
        if (firstComment is not null && (string.IsNullOrWhiteSpace(firstComment) || firstComment.Length > FirstCommentMax))
        {
            throw DomainException.Invalid("firstComment", $"firstComment must be 1 to {FirstCommentMax} characters, not only spaces (or left out for none).");
        }
    }

    /// <summary>Checks one channel's content; <paramref name="field"/> prefixes the names in errors ("" or "variants.{channelId}.").</summary>
    public static void Validate(string platform, PublicationContent content, string field = "")
    {
        for (var i = 0; i < content.MediaUrls.Count; i++)
        {
            if (!IsAbsolute(content.MediaUrls[i], httpAllowed: false))
            {
                throw DomainException.Invalid($"{field}mediaUrls[{i}]", $"{field}mediaUrls[{i}] must be an absolute https URL of at most {MediaUrlMax} characters (the platform fetches it).");
            }
        }

        if (content.MediaUrls.Count > MediaItemsMax)
        {
            throw DomainException.Invalid($"{field}mediaUrls", $"A carousel or multi-photo post holds at most {MediaItemsMax} items.");
        }

        if (content.Link is { } link && !IsAbsolute(link, httpAllowed: true))
        {
            throw DomainException.Invalid($"{field}link", $"{field}link must be an absolute http(s) URL.");
        }

        if (content.Story)
        {
            if (platform != ChannelIds.Instagram)
            {
                throw DomainException.Invalid($"{field}story", $"{field}story: only an Instagram channel publishes stories.");
            }

            if (content.MediaUrls.Count != 1)
            {
                throw DomainException.Invalid($"{field}mediaUrls", $"A story is one image or one video ({content.MediaUrls.Count} media given).");
            }

            // A story shows no caption: the post's text is not validated as one.
            return;
        }

        var text = content.Text ?? "";
        if (platform == ChannelIds.Instagram)
        {
            if (content.MediaUrls.Count == 0)
            {
                throw DomainException.Invalid($"{field}mediaUrls", "Instagram posts need an image or a video.");
            }

            if (text.Length > InstagramCaptionMax)
            {
                throw DomainException.Invalid($"{field}text", $"An Instagram caption holds at most {InstagramCaptionMax} characters ({text.Length} given).");
            }

            var hashtags = Hashtag().Count(text);
            if (hashtags > InstagramHashtagsMax)
            {
                throw DomainException.Invalid($"{field}text", $"An Instagram caption holds at most {InstagramHashtagsMax} hashtags ({hashtags} given).");
            }

            var mentions = Mention().Count(text);
            if (mentions > InstagramMentionsMax)
            {
                throw DomainException.Invalid($"{field}text", $"An Instagram caption holds at most {InstagramMentionsMax} mentions ({mentions} given).");
            }

            return;
        }

        if (text.Length > FacebookMessageMax)
        {
            throw DomainException.Invalid($"{field}text", $"A Facebook message holds at most {FacebookMessageMax} characters ({text.Length} given).");
        }

        if (content.MediaUrls.FirstOrDefault(IsVideo) is not null)
        {
            throw DomainException.Invalid($"{field}mediaUrls", "Facebook Page posts take images here; video is not supported yet.");
        }

        if (text.Length == 0 && content.Link is null && content.MediaUrls.Count == 0)
        {
            throw DomainException.Invalid($"{field}text", "A Facebook post needs text, a link or an image.");
        }
    }

    /// <summary>A time to publish at: in the future, and no further than <see cref="SchedulingHorizon"/>.</summary>
    public static void ValidateSchedule(DateTimeOffset scheduledAt, DateTimeOffset now)
    {
        if (scheduledAt <= now)
        {
            throw DomainException.Invalid("scheduledAt", "scheduledAt must be in the future.");
        }

        if (scheduledAt > now + SchedulingHorizon)
        {
            throw DomainException.Invalid("scheduledAt", $"scheduledAt may be at most {SchedulingHorizon.TotalDays:0} days ahead.");
        }
    }

    public static bool IsVideo(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && VideoExtensions.Any(e => uri.AbsolutePath.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    /// <summary>An absolute https URL with a host (http too when allowed), of at most <see cref="MediaUrlMax"/> characters.</summary>
    private static bool IsAbsolute(string? url, bool httpAllowed) =>
        url is { Length: > 0 and <= MediaUrlMax } && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Host.Length > 0
        && (uri.Scheme == Uri.UriSchemeHttps || (httpAllowed && uri.Scheme == Uri.UriSchemeHttp));

    [GeneratedRegex(@"(?<![\w#])#\w+", RegexOptions.CultureInvariant)]
    private static partial Regex Hashtag();

    [GeneratedRegex(@"(?<![\w@])@[\w.]+", RegexOptions.CultureInvariant)]
    private static partial Regex Mention();
}
