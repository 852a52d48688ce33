using OrleansSocial.Grains.Budget;
using OrleansSocial.Graph;
using OrleansSocial.Graph.Models;

namespace OrleansSocial.Grains.Posts.Publishing;

/// <summary>
/// A Page post (docs/graph-api.md, "Publishing"): text and link through <c>/feed</c>, one image through
/// <c>/photos</c>, several images uploaded unpublished and attached to one <c>/feed</c> post. Graph
/// has no idempotency key, so the write is recorded before it is sent, and after an unknown outcome
/// the Page's recent posts are read back and a post with the same message made since the write
/// started is adopted instead of posting again.
/// </summary>
public static class FacebookPublishing
{
    public static async Task<PublishOutcome> StepAsync(PublishContext context, PublicationAttempt attempt)
    {
        var (page, content) = (context.Access.ExternalId, context.Content);
        var message = content.Text ?? "";
        if (attempt.OutcomeUnknown)
        {
            if (await ReadBackAsync(context, message, attempt.WriteStartedAt!.Value - context.Options.ReadBackSkew) is { } existing)
            {
                return new PublishOutcome.Published(existing.Id, existing.PermalinkUrl, existing.CreatedTime ?? context.Now, Adopted: true);
            }

            attempt = await context.SaveAsync(attempt with { WriteStartedAt = null });
        }

        string postId;
        if (content.MediaUrls.Count > 1)
        {
            // Unpublished uploads show nowhere until attached; each is kept so a retry does not upload it again.
            var photos = attempt.PhotoIds?.ToList() ?? [];
            foreach (var url in content.MediaUrls.Skip(photos.Count))
            {
                var photo = await context.CallAsync(() => context.Graph.PublishPagePhotoAsync(page, context.Token, url, published: false));
                photos.Add(photo.Id);
                attempt = await context.SaveAsync(attempt with { PhotoIds = [.. photos] });
            }

            await context.SaveAsync(attempt with { WriteStartedAt = context.Now });
            postId = (await context.CallAsync(() => context.Graph.PublishPagePostAsync(page, context.Token, message, content.Link, attachedMedia: photos))).Id;
        }
        else if (content.MediaUrls.Count == 1)
        {
            await context.SaveAsync(attempt with { WriteStartedAt = context.Now });
            var photo = await context.CallAsync(() => context.Graph.PublishPagePhotoAsync(page, context.Token, content.MediaUrls[0], message));
            postId = photo.PostId ?? $"{page}_{photo.Id}";
        }
        else
        {
            await context.SaveAsync(attempt with { WriteStartedAt = context.Now });
            postId = (await context.CallAsync(() => context.Graph.PublishPagePostAsync(page, context.Token, message, content.Link))).Id;
        }

        return new PublishOutcome.Published(postId, await PermalinkAsync(context, postId), context.Now, Adopted: false);
    }

    /// <summary>The newest posts of the Page made since <paramref name="since"/>, and among them one with this message.</summary>
    private static Task<PagePost?> ReadBackAsync(PublishContext context, string message, DateTimeOffset since) =>
        context.FindAsync(context.Graph.GetPagePostsAsync(context.Access.ExternalId, context.Token, since, maxItems: 100, pageSize: 50),
            p => (p.Message ?? "") == message && (p.CreatedTime is null || p.CreatedTime >= since));

    private static async Task<string?> PermalinkAsync(PublishContext context, string postId) =>
        (await context.OptionalAsync(() => context.Graph.GetObjectAsync<PagePost>(postId, context.Token, "id,permalink_url")))?.PermalinkUrl;
}
