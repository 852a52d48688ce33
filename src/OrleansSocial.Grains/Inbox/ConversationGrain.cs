using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansSocial.Channels;
using OrleansSocial.Grains.Channels.Scheduling;
using OrleansSocial.Graph;
using OrleansSocial.Inbox;
using OrleansSocial.ReadModels;
using OrleansSocial.ReadModels.Sync;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Naming;
using OrleansSocial.Tenancy;
using OrleansSocial.Webhooks;
using OrleansSocial.Grains.Records;

namespace OrleansSocial.Grains.Inbox;

/// <summary>
/// One conversation: the single writer of its document. Comment events from Meta's webhooks, the
/// daily sync and polls all land here and are applied by platform id, so a comment seen twice, or a
/// replayed notification, changes nothing. Members' replies are delivered in the background
/// (<c>ConversationGrain.Replies.cs</c>); moderation acts on the platform while the member waits.
/// </summary>
[CollectionAgeLimit(Minutes = 2)]
public sealed partial class ConversationGrain(
    IDocumentStore store, GraphClient graph, [FromKeyedServices(SyncEngineServices.ClockKey)] TimeProvider time, ILogger<ConversationGrain> logger)
    : Grain, IConversationGrain, IRemindable
{
    private const int MaxTextLength = 8000;
    // Ingest, requests and the background delivery all change the document through it.
    private TenantRecord<ConversationDocument>? _record;

    private (string TenantId, string ConversationId) Key => TenantScope.Of(this.GetPrimaryKeyString());

    private string ChannelId => ConversationIds.ChannelOf(Key.ConversationId);

    /// <summary>The platform account of the channel: <c>fb-123</c> holds Page 123.</summary>
    private string AccountId => ChannelId[3..];

    private string Platform => ChannelId.StartsWith("fb-", StringComparison.Ordinal) ? ChannelIds.Facebook : ChannelIds.Instagram;

    private IDocumentDatabase Database => TenantScope.Of(this.GetPrimaryKeyString()).Database(store);

    private IDocumentCollection Conversations => Database.GetCollection(Collections.Conversations);

    private TenantRecord<ConversationDocument> Record => _record ??= new(Conversations, Key.ConversationId, ConversationDocument.TryRead);

    private ConversationDocument? Doc => Record.Current;

    private ITenantGrain Tenant => GrainFactory.GetGrain<ITenantGrain>(Key.TenantId);

    private IChannelGrain Channel => GrainFactory.GetGrain<IChannelGrain>(ChannelIds.GrainKey(Key.TenantId, ChannelId));

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!await Record.LoadAsync(cancellationToken))
        {
            return;
        }

        // A damaged record must not stop the grain from activating: it reads as missing, and the next
        // event for the comment writes it again.
        if (Doc is null)
        {
            LogDamaged(logger, Key.TenantId, Key.ConversationId);
            return;
        }

        await RelayAsync();
        ResumeDeliveries();
    }

    public async Task<bool> Ingest(CommentEvent comment)
    {
        // Only an active tenant takes conversations: a suspended one is routed nothing, whatever the directory says.
        if (await Tenant.Standing() is not { Status: TenantStatus.Active } || !CommentVerbs.All.Contains(comment.Verb))
        {
            return false;
        }

        var ours = comment.FromId == AccountId;
        if (Doc is null && (comment.Verb == CommentVerbs.Remove || (ours && comment.ParentId is null) || await Channel.Get() is null))
        {
            return false;
        }

        var excerpt = Doc is null ? await ExcerptAsync(comment.PostId) : null;
        var now = time.GetUtcNow();
        var changed = false;
        await UpdateAsync(current =>
        {
            var next = current ?? Started(comment, excerpt, now);
            next = comment.ParentId is null ? ApplyTopLevel(next, comment, now) : ApplyReply(next, comment, ours, now);
            changed = current is null || !ReferenceEquals(next, current);
            return changed ? next : null;
        });
        if (changed)
        {
            await RelayAsync();
        }

        return changed;
    }

    public Task<ConversationView?> Get()
    {
        if (Doc is null)
        {
            DeactivateOnIdle();
        }

        return Task.FromResult(Doc?.ToView());
    }

    public async Task<ConversationView> Change(Actor actor, ConversationChange change)
    {
        Require();
        if (change.Status is not (null or ConversationStatuses.Open or ConversationStatuses.Done))
        {
            throw DomainException.Invalid("status", "status must be open or done.");
        }

        var assignee = change.AssigneeId;
        if (assignee is { Length: > 0 } && !await Tenant.HasMember(assignee))
        {
            throw DomainException.Invalid("assigneeId", $"assigneeId must be a member of this tenant; '{assignee}' is not.");
        }

        await UpdateAsync(current =>
        {
            var doc = Present(current);
            return doc with
            {
                Status = change.Status ?? doc.Status,
                AssigneeId = assignee is null ? doc.AssigneeId : assignee.Length == 0 ? null : assignee,
            };
        });
        await Tenant.RecordAudit(actor, "conversation.updated", Key.ConversationId, "success",
            $"status {Require().Status}, assignee {Require().AssigneeId ?? "none"}");
        return Require().ToView();
    }

    private ConversationDocument Started(CommentEvent comment, string? excerpt, DateTimeOffset now)
    {
        var at = comment.CreatedAt ?? now;
        var top = comment.ParentId ?? comment.CommentId;
        return new ConversationDocument(Key.ConversationId, ChannelId, Platform, AccountId, new ConversationPost(comment.PostId, comment.PostPermalink, excerpt), top,
            new CommentAuthorView(null, null), null, at, false, false, ConversationStatuses.Open, null, at, [], StoredTime.Of(at));
    }

    /// <summary>The top-level comment's own change. Returns the same instance when nothing changes.</summary>
    private ConversationDocument ApplyTopLevel(ConversationDocument doc, CommentEvent comment, DateTimeOffset now)
    {
        switch (comment.Verb)
        {
            case CommentVerbs.Add when doc.Text is null && !doc.Deleted:
                // First seen (or first seen whole: a fan's reply can arrive before its comment).
                var at = comment.CreatedAt ?? doc.CreatedAt;
                var whole = doc with
                {
                    Text = comment.Text ?? "",
                    Author = new CommentAuthorView(comment.FromId, comment.FromName),
                    CreatedAt = at,
                    Post = doc.Post with { Permalink = doc.Post.Permalink ?? comment.PostPermalink },
                };
                return whole.Touched(at).Announcing(Received(comment, isReply: false, now));
            case CommentVerbs.Edited when !doc.Deleted && comment.Text is not null && comment.Text != doc.Text:
                return (doc with { Text = comment.Text }).Touched(now);
            case CommentVerbs.Remove when !doc.Deleted:
                return doc with { Deleted = true };
            case CommentVerbs.Hide when !doc.Hidden && !doc.Deleted:
                return doc with { Hidden = true };
            case CommentVerbs.Unhide when doc.Hidden && !doc.Deleted:
                return doc with { Hidden = false };
            default:
                return doc;
        }
    }

    /// <summary>A reply's change: a fan's new reply reopens the conversation; ours is matched to the reply we sent.</summary>
    private ConversationDocument ApplyReply(ConversationDocument doc, CommentEvent comment, bool ours, DateTimeOffset now)
    {
        if (doc.ReplyByComment(comment.CommentId) is { } known)
        {
            var next = comment.Verb switch
            {
                CommentVerbs.Edited when !known.Deleted && comment.Text is not null && comment.Text != known.Text => known with { Text = comment.Text },
                CommentVerbs.Remove when !known.Deleted => known with { Deleted = true },
                CommentVerbs.Hide when !known.Hidden => known with { Hidden = true },
                CommentVerbs.Unhide when known.Hidden => known with { Hidden = false },
                _ => known,
            };
            return ReferenceEquals(next, known) ? doc : doc.WithReply(next);
        }

        if (comment.Verb is not (CommentVerbs.Add or CommentVerbs.Edited))
        {
            return doc;
        }

        var at = comment.CreatedAt ?? now;
        if (ours)
        {
            // Our own reply coming back: the one we are sending with this text, or one written elsewhere.
            var pending = doc.Replies.FirstOrDefault(r => r is { Ours: true, CommentId: null, Delivery: ReplyRecord.Sending } && r.Text == comment.Text);
            return doc.WithReply(pending is not null
                ? pending with { CommentId = comment.CommentId, Delivery = ReplyRecord.Sent, WriteStartedAt = null }
                : new ReplyRecord($"r-{comment.CommentId}", comment.CommentId, new CommentAuthorView(comment.FromId, comment.FromName), comment.Text ?? "", at, true,
                    ReplyRecord.Sent, null, null));
        }

        var reply = new ReplyRecord($"r-{comment.CommentId}", comment.CommentId, new CommentAuthorView(comment.FromId, comment.FromName), comment.Text ?? "", at, false, null, null, null);
        return (doc.WithReply(reply) with { Status = ConversationStatuses.Open }).Touched(at).Announcing(Received(comment, isReply: true, now));
    }

    private WebhookEvent Received(CommentEvent comment, bool isReply, DateTimeOffset now) =>
        WebhookEvent.Create(WebhookEventTypes.CommentReceived, Key.TenantId, now,
            new CommentReceivedData(Key.ConversationId, ChannelId, Platform, comment.CommentId, comment.PostId, comment.FromName, comment.Text, comment.CreatedAt ?? now, isReply));

    /// <summary>The start of the post's text, when the sync stored the post.</summary>
    private async Task<string?> ExcerptAsync(string postId)
    {
        var stored = await Database.GetCollection(Collections.Posts).GetAsync(postId, CancellationToken.None);
        return stored is { } json && DocumentJson.TryRead<PostRecord>(json)?.Message is { } message
            ? message.Length <= 140 ? message : message[..140] + "…"
            : null;
    }

    private ConversationDocument Require() => Present(Doc);

    private ConversationDocument Present(ConversationDocument? doc) =>
        doc ?? throw DomainException.NotFound("conversation", $"Conversation '{Key.ConversationId}' does not exist.");

    private Task UpdateAsync(Func<ConversationDocument?, ConversationDocument?> change) => Record.UpdateAsync(change);

    /// <summary>Hands announced events to the tenant's webhook endpoints; kept in the record for the next try when that fails.</summary>
    private Task RelayAsync() =>
        Record.TryRelayAsync(GrainFactory, Database, time.GetUtcNow(), (exception, count) => LogRelayFailed(logger, exception, Key.TenantId, Key.ConversationId, count));

    [LoggerMessage(EventId = 5001, Level = LogLevel.Error, Message = "Conversation {ConversationId} of tenant {TenantId} has a damaged record: it reads as missing until the comment is seen again")]
    private static partial void LogDamaged(ILogger logger, string tenantId, string conversationId);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "Conversation {ConversationId} of tenant {TenantId}: {Count} webhook event(s) not handed over yet; they stay in its record")]
    private static partial void LogRelayFailed(ILogger logger, Exception exception, string tenantId, string conversationId, int count);
}
