using OrleansSocial.Tenancy;

namespace OrleansSocial.Inbox;

public static partial class ConversationIds
{
    /// <summary>A conversation is its top-level comment on one channel: <c>{channelId}.{commentId}</c>.</summary>
    public static string For(string channelId, string topCommentId) => $"{channelId}.{topCommentId}";

    /// <summary>Shaped like a conversation id (checked before it becomes part of a grain key).</summary>
    public static bool IsValid(string conversationId) => Shape().IsMatch(conversationId);

    public static string ChannelOf(string conversationId) => conversationId[..conversationId.IndexOf('.')];

    public static string CommentOf(string conversationId) => conversationId[(conversationId.IndexOf('.') + 1)..];

    /// <summary>Conversation grains are keyed by tenant and conversation together.</summary>
    public static string GrainKey(string tenantId, string conversationId) => $"{tenantId}/{conversationId}";

    [System.Text.RegularExpressions.GeneratedRegex(@"\A(fb|ig)-[0-9]{1,30}\.[0-9]{1,40}(_[0-9]{1,40})?\z", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex Shape();
}

public static class CommentVerbs
{
    public const string Add = "add";
    public const string Edited = "edited";
    public const string Remove = "remove";
    public const string Hide = "hide";
    public const string Unhide = "unhide";

    public static readonly IReadOnlyList<string> All = [Add, Edited, Remove, Hide, Unhide];
}

public static class ConversationStatuses
{
    public const string Open = "open";
    public const string Done = "done";
}

/// <summary>
/// One change to one comment, however it reached us (Meta's webhook, the daily sync, a poll): the
/// platform ids tie the three together, so the same comment seen twice is one comment.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansSocial.CommentEvent")]
public sealed record CommentEvent(
    [property: Id(0)] string CommentId,
    [property: Id(1)] string? ParentId,
    [property: Id(2)] string PostId,
    [property: Id(3)] string Verb,
    [property: Id(4)] string? FromId,
    [property: Id(5)] string? FromName,
    [property: Id(6)] string? Text,
    [property: Id(7)] DateTimeOffset? CreatedAt,
    [property: Id(8)] string? PostPermalink,
    [property: Id(9)] string Source);

[GenerateSerializer, Immutable, Alias("OrleansSocial.ConversationPost")]
public sealed record ConversationPost([property: Id(0)] string PostId, [property: Id(1)] string? Permalink, [property: Id(2)] string? Excerpt);

[GenerateSerializer, Immutable, Alias("OrleansSocial.CommentAuthor")]
public sealed record CommentAuthorView([property: Id(0)] string? Id, [property: Id(1)] string? Name);

/// <summary>
/// A reply in a conversation: a fan's (from the platform) or ours. Ours carry their delivery:
/// <c>sending</c> until the platform id is known, then <c>sent</c>, or <c>failed</c> with a reason.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansSocial.ReplyView")]
public sealed record ReplyView(
    [property: Id(0)] string ReplyId,
    [property: Id(1)] string? CommentId,
    [property: Id(2)] CommentAuthorView Author,
    [property: Id(3)] string Text,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] bool Ours,
    [property: Id(6)] string? Delivery,
    [property: Id(7)] string? FailureReason,
    [property: Id(8)] string? RepliedBy,
    [property: Id(9)] bool Hidden = false,
    [property: Id(10)] bool Deleted = false);

[GenerateSerializer, Immutable, Alias("OrleansSocial.ConversationView")]
public sealed record ConversationView(
    [property: Id(0)] string ConversationId,
    [property: Id(1)] string ChannelId,
    [property: Id(2)] ConversationPost Post,
    [property: Id(3)] string CommentId,
    [property: Id(4)] CommentAuthorView Author,
    [property: Id(5)] string? Text,
    [property: Id(6)] DateTimeOffset CreatedAt,
    [property: Id(7)] bool Hidden,
    [property: Id(8)] bool Deleted,
    [property: Id(9)] string Status,
    [property: Id(10)] string? AssigneeId,
    [property: Id(11)] DateTimeOffset LastActivityAt,
    [property: Id(12)] IReadOnlyList<ReplyView> Replies);

/// <summary>A member's change to a conversation; null leaves a field as it is, an empty assignee unassigns.</summary>
[GenerateSerializer, Immutable, Alias("OrleansSocial.ConversationChange")]
public sealed record ConversationChange([property: Id(0)] string? Status, [property: Id(1)] string? AssigneeId);

public static class ModerationActions
{
    public const string Hide = "hide";
    public const string Unhide = "unhide";
    public const string Delete = "delete";
}

/// <summary>
/// One conversation of a tenant (key <c>{tenantId}/{conversationId}</c>): the single writer of its
/// document in the tenant's database. Takes comment events from every source idempotently, and
/// carries out the team's replies and moderation on the platform, effectively once.
/// </summary>
[Alias("OrleansSocial.IConversationGrain")]
public interface IConversationGrain : IGrainWithStringKey
{
    /// <summary>Applies a comment change; true when it changed anything (a replay or a duplicate changes nothing).</summary>
    [Alias("Ingest")]
    Task<bool> Ingest(CommentEvent comment);

    [Alias("Get")]
    Task<ConversationView?> Get();

    [Alias("Change")]
    Task<ConversationView> Change(Actor actor, ConversationChange change);

    /// <summary>Records the reply (sending) and posts it in the background; the same idempotency key returns the same reply.</summary>
    [Alias("Reply")]
    Task<ReplyView> Reply(Actor actor, string text, string? idempotencyKey);

    [Alias("Moderate")]
    Task<ConversationView> Moderate(Actor actor, string action);
}

/// <summary>
/// Meta's webhook notifications: recorded durably as they arrive (before Meta gets its 200), then
/// split and routed to every tenant whose channel holds the account they name. A stateless worker.
/// </summary>
[Alias("OrleansSocial.IMetaEventsGrain")]
public interface IMetaEventsGrain : IGrainWithIntegerKey
{
    /// <summary>Stores the notification's raw body; returns once it is durable. Byte-identical replays are stored once.</summary>
    [Alias("Record")]
    Task Record(byte[] body);

    /// <summary>Routes one recorded notification, after its sender has had the answer (one-way: nobody waits for routing).</summary>
    [Alias("Route"), Orleans.Concurrency.OneWay]
    Task Route(string id, string body);

    /// <summary>Routes every recorded notification older than <paramref name="minimumAge"/> (what a crash left behind).</summary>
    [Alias("Sweep")]
    Task<int> Sweep(TimeSpan minimumAge);
}
