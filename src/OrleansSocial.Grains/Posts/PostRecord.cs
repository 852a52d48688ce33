using System.Text.Json;
using OrleansSocial.Grains.Records;
using OrleansSocial.Grains.Webhooks;
using OrleansSocial.Posts;
using OrleansSocial.ReadModels;
using OrleansSocial.ReadModels.Posts;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Webhooks;

namespace OrleansSocial.Grains.Posts;

/// <summary>
/// A post as stored in <c>planned_posts</c>: the post's own fields, the calendar key its list is
/// queried by, and the events its changes announced (<c>outbox</c>). <see cref="Post"/> is null when
/// the stored post is damaged; its events are still handed over.
/// </summary>
public sealed record PostRecord(PostView? Post, IReadOnlyList<WebhookEvent>? Outbox) : IAnnouncingRecord<PostRecord>
{
    public PostRecord WithOutbox(IReadOnlyList<WebhookEvent>? outbox) => this with { Outbox = outbox };

    public static PostRecord Read(JsonElement stored) =>
        new(Usable(DocumentJson.TryRead<PostView>(stored)), WebhookOutbox.StoredIn(stored) is { Count: > 0 } outbox ? outbox : null);

    public static JsonElement Write(PostRecord record)
    {
        var post = record.Post ?? throw new InvalidOperationException("A damaged post is never written back.");
        return PostCalendar.Stamped(WebhookOutbox.WithOutbox(DocumentJson.ToJson(post), record.Outbox ?? []), post);
    }

    /// <summary>A stored post as delivery can use it: lists never null, publications complete; otherwise damaged (null).</summary>
    private static PostView? Usable(PostView? post) =>
        post is { PostId: not null, AuthorId: not null, Content: not null, Publications: not null } && post.Publications.All(p => p is { ChannelId: not null, Platform: not null })
            ? post with { Content = post.Content with { MediaUrls = post.Content.MediaUrls ?? [], Variants = post.Content.Variants ?? new Dictionary<string, VariantContent>() } }
            : null;
}
