using OrleansSocial.Grains.Budget;
using OrleansSocial.Graph;
using OrleansSocial.Graph.Models;
using OrleansSocial.Posts;

namespace OrleansSocial.Grains.Posts.Publishing;

/// <summary>
/// An Instagram post (docs/graph-api.md, "Publishing"): the publishing quota read first, a container
/// (an image, a video as a reel, or a carousel over item containers), its status polled with
/// backoff until FINISHED, then <c>media_publish</c>. The container id is recorded before the
/// publish call; a container publishes at most once, so after an unknown outcome its status
/// (<c>PUBLISHED</c>) says whether it happened, and the media is adopted instead of published again.
/// Over the quota the publication fails with reason <c>quota</c> (retryable) rather than waiting a day.
/// </summary>
public static class InstagramPublishing
{
    public static async Task<PublishOutcome> StepAsync(PublishContext context, PublicationAttempt attempt)
    {
        if (attempt.ContainerId is null)
        {
            if (await OverQuotaAsync(context) is { } full)
            {
                return full;
            }

            attempt = await CreateContainerAsync(context, attempt);
        }

        var status = await context.CallAsync(() => context.Graph.GetContainerStatusAsync(attempt.ContainerId!, context.Token));
        switch (status.StatusCode)
        {
            case "PUBLISHED":
                var media = await FindMediaAsync(context, attempt.ContainerCreatedAt ?? attempt.FirstTriedAt);
                return new PublishOutcome.Published(media?.Id, media?.Permalink, media?.Timestamp ?? context.Now, Adopted: true);
            case "FINISHED":
                await context.SaveAsync(attempt with { WriteStartedAt = context.Now });
                var published = await context.CallAsync(() => context.Graph.PublishInstagramContainerAsync(context.Access.ExternalId, context.Token, attempt.ContainerId!));
                return new PublishOutcome.Published(published.Id, await PermalinkAsync(context, published.Id), context.Now, Adopted: false);
            case "ERROR":
                await context.SaveAsync(attempt with { ContainerId = null, ChildContainers = null, Polls = 0 });
                return new PublishOutcome.Failed("invalid_media", false, $"Instagram could not process the media: {status.Status}");
            case "EXPIRED":
                // Not published within 24 hours: the next step makes a new container.
                await context.SaveAsync(attempt with { ContainerId = null, ChildContainers = null, Polls = 0 });
                return new PublishOutcome.Wait(context.Now, "container expired");
            default:
                if (context.Now - (attempt.ContainerCreatedAt ?? context.Now) > context.Options.ContainerTimeout)
                {
                    await context.SaveAsync(attempt with { ContainerId = null, ChildContainers = null, Polls = 0 });
                    return new PublishOutcome.Failed("processing_timeout", true, $"Instagram was still processing the media after {context.Options.ContainerTimeout}.");
                }

                await context.SaveAsync(attempt with { Polls = attempt.Polls + 1 });
                return new PublishOutcome.Wait(context.Now + PollDelay(context.Options, attempt.Polls), "media processing");
        }
    }

    /// <summary>First wait, doubled per poll, capped: video processing takes minutes and is not spun on.</summary>
    public static TimeSpan PollDelay(PublishingOptions options, int polls) =>
        TimeSpan.FromTicks(Math.Min(options.ContainerPollMax.Ticks, options.ContainerPollInitial.Ticks << Math.Min(polls, 20)));

    private static async Task<PublishOutcome?> OverQuotaAsync(PublishContext context)
    {
        var limit = await context.CallAsync(() => context.Graph.GetContentPublishingLimitAsync(context.Access.ExternalId, context.Token));
        return limit.Config?.QuotaTotal is { } total && limit.QuotaUsage >= total
            ? new PublishOutcome.Failed("quota", true, $"The account has published {limit.QuotaUsage} of its {total} posts in the last 24 hours.")
            : null;
    }

    private static async Task<PublicationAttempt> CreateContainerAsync(PublishContext context, PublicationAttempt attempt)
    {
        var (account, content) = (context.Access.ExternalId, context.Content);
        if (content.MediaUrls.Count == 1)
        {
            var url = content.MediaUrls[0];
            var video = PostRules.IsVideo(url);
            var single = await context.CallAsync(() => context.Graph.CreateInstagramContainerAsync(account, context.Token, video ? null : url, video ? url : null,
                content.Story ? null : content.Text, story: content.Story));
            return await context.SaveAsync(attempt with { ContainerId = single.Id, ContainerCreatedAt = context.Now, Polls = 0 });
        }

        // Item containers are never published on their own; each is kept so a retry does not make it again.
        var children = attempt.ChildContainers?.ToList() ?? [];
        foreach (var url in content.MediaUrls.Skip(children.Count))
        {
            var video = PostRules.IsVideo(url);
            var child = await context.CallAsync(() => context.Graph.CreateInstagramContainerAsync(account, context.Token, video ? null : url, video ? url : null, null, carouselItem: true));
            children.Add(child.Id);
            attempt = await context.SaveAsync(attempt with { ChildContainers = [.. children] });
        }

        var carousel = await context.CallAsync(() => context.Graph.CreateInstagramCarouselAsync(account, context.Token, children, content.Text));
        return await context.SaveAsync(attempt with { ContainerId = carousel.Id, ContainerCreatedAt = context.Now, Polls = 0 });
    }

    /// <summary>
    /// The media a published container became: the account's newest media with this caption, made
    /// since the container; for a story (no caption, not listed under /media), its newest story since then.
    /// </summary>
    private static Task<InstagramMedia?> FindMediaAsync(PublishContext context, DateTimeOffset since)
    {
        if (context.Content.Story)
        {
            return context.FindAsync(context.Graph.GetInstagramStoriesAsync(context.Access.ExternalId, context.Token, maxItems: 50),
                m => m.Timestamp is null || m.Timestamp >= since - context.Options.ReadBackSkew);
        }

        var (caption, from) = (context.Content.Text ?? "", since - context.Options.ReadBackSkew);
        return context.FindAsync(context.Graph.GetInstagramMediaAsync(context.Access.ExternalId, context.Token, maxItems: 50),
            m => (m.Caption ?? "") == caption && (m.Timestamp is null || m.Timestamp >= from));
    }

    private static async Task<string?> PermalinkAsync(PublishContext context, string mediaId) =>
        (await context.OptionalAsync(() => context.Graph.GetObjectAsync<InstagramMedia>(mediaId, context.Token, "id,permalink,timestamp")))?.Permalink;
}
