using OrleansSocial.Inbox;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Webhooks;

namespace OrleansSocial.Grains.Inbox;

/// <summary>
/// A reply as stored: what members see (<see cref="ReplyView"/>) plus, for ours, the write-ahead state
/// of its delivery: the idempotency key it was asked with, when the platform write started (set before
/// the Graph call, cleared when its answer is recorded: set at load means the outcome is unknown) and
/// how many writes were tried.
/// </summary>
public sealed record ReplyRecord(
    string ReplyId,
    string? CommentId,
    CommentAuthorView Author,
    string Text,
    DateTimeOffset CreatedAt,
    bool Ours,
    string? Delivery,
    string? FailureReason,
    string? RepliedBy,
    bool Hidden = false,
    bool Deleted = false,
    string? IdempotencyKey = null,
    DateTimeOffset? WriteStartedAt = null,
    int Tries = 0)
{
    public const string Sending = "sending";
    public const string Sent = "sent";
    public const string Failed = "failed";

    public ReplyView ToView() => new(ReplyId, CommentId, Author, Text, CreatedAt, Ours, Delivery, FailureReason, RepliedBy, Hidden, Deleted);
}

/// <summary>
/// A conversation in the tenant's database (collection <c>conversations</c>, id = conversation id).
/// Its JSON reads as a <see cref="ConversationView"/>; beside it are the fields the inbox index sorts
/// and filters by (<c>activityAt</c> as stored time) and the outbox of events announced with a change.
/// </summary>
public sealed record ConversationDocument(
    string ConversationId,
    string ChannelId,
    string Platform,
    string AccountId,
    ConversationPost Post,
    string CommentId,
    CommentAuthorView Author,
    string? Text,
    DateTimeOffset CreatedAt,
    bool Hidden,
    bool Deleted,
    string Status,
    string? AssigneeId,
    DateTimeOffset LastActivityAt,
    IReadOnlyList<ReplyRecord> Replies,
    string ActivityAt,
    IReadOnlyList<WebhookEvent>? Outbox = null) : Records.IAnnouncingRecord<ConversationDocument>
{
    /// <summary>A conversation holds at most this many replies; older fan replies beyond it are dropped first.</summary>
    public const int MaxReplies = 500;

    public ConversationView ToView() => new(ConversationId, ChannelId, Post, CommentId, Author, Text, CreatedAt, Hidden, Deleted, Status, AssigneeId, LastActivityAt,
        [.. Replies.Select(r => r.ToView())]);

    public ConversationDocument Touched(DateTimeOffset at) =>
        at > LastActivityAt ? this with { LastActivityAt = at, ActivityAt = StoredTime.Of(at) } : this;

    public ConversationDocument Announcing(WebhookEvent @event) => this with { Outbox = [.. Outbox ?? [], @event] };

    public ConversationDocument WithOutbox(IReadOnlyList<WebhookEvent>? outbox) => this with { Outbox = outbox };

    /// <summary>The stored record, or null when it is not usable as one (damaged): the grain then reads it as missing.</summary>
    public static ConversationDocument? TryRead(System.Text.Json.JsonElement stored) =>
        OrleansSocial.ReadModels.DocumentJson.TryRead<ConversationDocument>(stored) is { ConversationId: not null, Replies: not null, Post: not null, Author: not null, CommentId: not null } doc
            && doc.Replies.All(r => r is { ReplyId: not null, Author: not null, Text: not null })
            ? doc
            : null;

    public ConversationDocument WithReply(ReplyRecord reply)
    {
        var replies = Replies.Where(r => r.ReplyId != reply.ReplyId).Append(reply).OrderBy(r => r.CreatedAt).ToList();
        while (replies.Count > MaxReplies && replies.FindIndex(r => !r.Ours) is var oldest and >= 0)
        {
            replies.RemoveAt(oldest);
        }

        return this with { Replies = replies };
    }

    public ReplyRecord? ReplyByComment(string commentId) => Replies.FirstOrDefault(r => r.CommentId == commentId);
}
