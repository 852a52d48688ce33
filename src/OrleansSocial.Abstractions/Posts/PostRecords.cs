using OrleansSocial.Tenancy;

namespace OrleansSocial.Posts;

/// <summary>Where one channel's publication of a post stands.</summary>
[GenerateSerializer, Alias("OrleansSocial.PublicationStatus")]
public enum PublicationStatus
{
    Draft,
    PendingApproval,
    Scheduled,
    Publishing,
    Published,
    Failed,
    Cancelled,
}

/// <summary>
/// Different text or media for one channel (Instagram needs media where Facebook may not); on an
/// Instagram channel it may be a story (one image or one video, no caption).
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansSocial.VariantContent")]
public sealed record VariantContent(
    [property: Id(0)] string? Text,
    [property: Id(1)] IReadOnlyList<string>? MediaUrls,
    [property: Id(2)] bool? Story = null);

/// <summary>A channel a post goes to, resolved by the front from the tenant's own channels.</summary>
[GenerateSerializer, Immutable, Alias("OrleansSocial.PostTarget")]
public sealed record PostTarget(
    [property: Id(0)] string ChannelId,
    [property: Id(1)] string Platform);

/// <summary>What a post says, checked at the edge per platform (<see cref="PostRules"/>).</summary>
[GenerateSerializer, Immutable, Alias("OrleansSocial.PostContent")]
public sealed record PostContent(
    [property: Id(0)] string? Text,
    [property: Id(1)] string? Link,
    [property: Id(2)] IReadOnlyList<string> MediaUrls,
    [property: Id(3)] IReadOnlyDictionary<string, VariantContent> Variants,
    [property: Id(4)] DateTimeOffset? ScheduledAt,
    [property: Id(5)] string? FirstComment = null);

[GenerateSerializer, Immutable, Alias("OrleansSocial.PublicationView")]
public sealed record PublicationView(
    [property: Id(0)] string ChannelId,
    [property: Id(1)] string Platform,
    [property: Id(2)] PublicationStatus Status,
    [property: Id(3)] string? PlatformPostId = null,
    [property: Id(4)] string? Permalink = null,
    [property: Id(5)] DateTimeOffset? PublishedAt = null,
    [property: Id(6)] string? FailureReason = null,
    [property: Id(7)] bool? Retryable = null,
    [property: Id(8)] DateTimeOffset? DueAt = null,
    [property: Id(9)] string? FailureDetail = null,
    [property: Id(10)] FirstCommentView? FirstComment = null);

/// <summary>
/// The post's first comment on one published publication: <c>pending</c> until it is posted,
/// <c>posted</c> with the platform's comment id, or <c>failed</c> with the reason (the publication stays published).
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansSocial.FirstCommentView")]
public sealed record FirstCommentView(
    [property: Id(0)] string Status,
    [property: Id(1)] string? CommentId = null,
    [property: Id(2)] string? FailureReason = null)
{
    public const string Pending = "pending";
    public const string Posted = "posted";
    public const string Failed = "failed";
}

/// <summary>
/// A post and its publications, as stored in the tenant's <c>planned_posts</c> and as members see it.
/// <c>Contributors</c>: who wrote or changed the content since the last approval (null in records of
/// older versions: the author alone). <c>Version</c> counts the post's writes; its <c>ETag</c> is made of it.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansSocial.PostView")]
public sealed record PostView(
    [property: Id(0)] string PostId,
    [property: Id(1)] string AuthorId,
    [property: Id(2)] PublicationStatus Status,
    [property: Id(3)] PostContent Content,
    [property: Id(4)] IReadOnlyList<PublicationView> Publications,
    [property: Id(5)] string? RejectionReason,
    [property: Id(6)] string? ApprovedBy,
    [property: Id(7)] DateTimeOffset CreatedAt,
    [property: Id(8)] DateTimeOffset UpdatedAt,
    [property: Id(9)] IReadOnlyList<string>? Contributors = null,
    [property: Id(10)] long Version = 0)
{
    /// <summary>Who may not approve this round under four eyes: the author and everyone who changed the content since the last approval.</summary>
    public IReadOnlyList<string> ContributorsThisRound => Contributors ?? [AuthorId];
}

/// <summary>
/// One post of one tenant (key <c>{tenantId}/{postId}</c>): its content, its publications (one per
/// channel) and the approval flow: draft → pending_approval (when the tenant requires approval) →
/// scheduled; rejection sends it back to draft with the reason kept. At the due time a reminder
/// publishes each channel's publication, effectively once (see <c>PostGrain.Delivery</c>).
/// </summary>
[Alias("OrleansSocial.IPostGrain")]
public interface IPostGrain : IGrainWithStringKey
{
    /// <summary>Creates the post, or returns it when it exists (a retried request with the same idempotency key).</summary>
    [Alias("Create")]
    Task<PostView> Create(Actor actor, PostContent content, IReadOnlyList<PostTarget> targets);

    [Alias("Get")]
    Task<PostView?> Get();

    // ifMatch: the request's If-Match header; the change applies only to that version of the post (412 otherwise).
    [Alias("Edit")]
    Task<PostView> Edit(Actor actor, PostContent content, IReadOnlyList<PostTarget> targets, string? ifMatch = null);

    [Alias("Cancel")]
    Task<PostView> Cancel(Actor actor, string? ifMatch = null);

    [Alias("Submit")]
    Task<PostView> Submit(Actor actor, string? ifMatch = null);

    [Alias("Approve")]
    Task<PostView> Approve(Actor actor, string? ifMatch = null);

    [Alias("Reject")]
    Task<PostView> Reject(Actor actor, string reason, string? ifMatch = null);

    /// <summary>Publishes a scheduled post (or a draft, where the tenant needs no approval) now instead of at its time.</summary>
    [Alias("PublishNow")]
    Task<PostView> PublishNow(Actor actor);

    /// <summary>Nothing but activation: a post written by an older version brings its record and calendar rows up to date as it activates.</summary>
    [Alias("Touch"), Orleans.Concurrency.OneWay]
    Task Touch();

    /// <summary>
    /// Nothing but activation, answered: a post activates with its due publications' delivery running.
    /// Sent to a post whose activation the cluster took away mid-delivery (the silo holding its
    /// directory entry died), so it does not wait for its reminder's next tick.
    /// </summary>
    [Alias("Resume")]
    Task Resume();

    /// <summary>Tries a failed publication again, now.</summary>
    [Alias("Retry")]
    Task<PostView> Retry(Actor actor, string channelId);
}

public static class PostIds
{
    public static string GrainKey(string tenantId, string postId) => $"{tenantId}/{postId}";

    public static bool IsValid(string postId) => postId.Length == 17 && postId[0] == 'p' && postId[1..].All(char.IsAsciiHexDigitLower);
}
