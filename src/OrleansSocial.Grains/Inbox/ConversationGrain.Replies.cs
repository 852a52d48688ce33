using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using OrleansSocial.Budget;
using OrleansSocial.Channels;
using OrleansSocial.Grains.Channels;
using OrleansSocial.Grains.Budget;
using OrleansSocial.Grains.Concurrency;
using OrleansSocial.Graph;
using OrleansSocial.Graph.Models;
using OrleansSocial.Inbox;
using OrleansSocial.Tenancy;
using OrleansSocial.Webhooks;

namespace OrleansSocial.Grains.Inbox;

/// <summary>
/// Replies, effectively once (docs/graph-conversations.md, "Comments and replies"): Graph has no idempotency on comments, so a
/// reply is recorded <c>sending</c> before anything is sent, its write marked started before the Graph
/// call and cleared when the answer is recorded. A write whose answer was lost (dropped connection,
/// timeout, killed silo) is read back first: a reply by us with the same text made since the write
/// started is adopted; only when there is none is it written again, once. A reminder keeps delivery
/// going across deactivation and silo death until no reply is sending.
/// </summary>
public sealed partial class ConversationGrain
{
    private const string DeliveryReminder = "deliver-replies";
    private const int MaxWrites = 2;
    private static readonly TimeSpan ReadBackSkew = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan DeliveryPeriod = TimeSpan.FromMinutes(1);

    /// <summary>How long after a write started another activation may still be waiting for it (above Graph's attempt timeout; writes are never retried).</summary>
    private static readonly TimeSpan WriteSettle = TimeSpan.FromSeconds(20);

    private Task? _delivery;

    // Replies' writes this activation saw end: see WritesInFlight.
    private WritesInFlight? _writes;

    private WritesInFlight Writes => _writes ??= new(time);

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Orleans does not wait for work beside turns: a reply in flight would overlap the next
        // activation, which would read back before it landed and send it again.
        if (_delivery is { IsCompleted: false } delivery)
        {
            await Task.WhenAny(delivery, Task.Delay(WriteSettle, time));
        }

        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    public async Task<ReplyView> Reply(Actor actor, string text, string? idempotencyKey)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > MaxTextLength)
        {
            throw DomainException.Invalid("text", $"text must be 1 to {MaxTextLength} characters, not only spaces.");
        }

        var doc = Require();
        if (idempotencyKey is not null && doc.Replies.FirstOrDefault(r => r.IdempotencyKey == idempotencyKey) is { } earlier)
        {
            return earlier.Text == text
                ? earlier.ToView()
                : throw new DomainException(ProblemKind.Unprocessable, "This Idempotency-Key was used with another reply text.", "Idempotency-Key");
        }

        if (doc.Deleted)
        {
            throw new DomainException(ProblemKind.Conflict, "The comment was deleted; it takes no replies.");
        }

        var access = await Channel.OpenPublishing();
        if (!access.Exists)
        {
            throw DomainException.NotFound("channel", $"Channel '{ChannelId}' does not exist.");
        }

        var now = time.GetUtcNow();
        var reply = new ReplyRecord($"r-{now.ToUnixTimeMilliseconds()}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}", null, new CommentAuthorView(AccountId, null),
            text, now, true, ReplyRecord.Sending, null, actor.MemberId, IdempotencyKey: idempotencyKey);
        if (access.Status != ChannelStatus.Active)
        {
            // Nothing can be sent: recorded as failed with the reason, so the member sees why.
            var reason = access.Status == ChannelStatus.NeedsReauth ? "needs_reauth" : "paused";
            reply = reply with { Delivery = ReplyRecord.Failed, FailureReason = reason };
            await UpdateAsync(current => Present(current).WithReply(reply).Announcing(ReplyFailed(reply, $"The channel is {reason}.")));
            await Tenant.RecordAudit(actor, "conversation.reply", Key.ConversationId, "failure", reason);
            await RelayAsync();
            return reply.ToView();
        }

        await this.RegisterOrUpdateReminder(DeliveryReminder, DeliveryPeriod, DeliveryPeriod);
        await UpdateAsync(current => Present(current).WithReply(reply).Touched(now));
        await Tenant.RecordAudit(actor, "conversation.reply", Key.ConversationId, "success", reply.ReplyId);
        ResumeDeliveries();
        return reply.ToView();
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == DeliveryReminder)
        {
            ResumeDeliveries();
        }

        return Task.CompletedTask;
    }

    /// <summary>Starts the delivery loop unless it runs already.</summary>
    private void ResumeDeliveries()
    {
        if (_delivery is { IsCompleted: false })
        {
            return;
        }

        _delivery = DeliverAllAsync();
    }

    private async Task DeliverAllAsync()
    {
        try
        {
            while (Doc?.Replies.FirstOrDefault(r => r is { Ours: true, Delivery: ReplyRecord.Sending }) is { } reply)
            {
                if (!await DeliverAsync(reply))
                {
                    return;
                }
            }

            if (await this.GetReminder(DeliveryReminder) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The reminder brings delivery back; the reply stays as recorded.
            LogDeliveryDeferred(logger, Key.TenantId, Key.ConversationId, exception.GetType().Name);
        }
    }

    /// <summary>One step of one reply; false when delivery must wait for the reminder (a spent budget, Graph not answering).</summary>
    private async Task<bool> DeliverAsync(ReplyRecord reply)
    {
        var access = await Channel.OpenPublishing();
        if (!access.Exists || access.Status != ChannelStatus.Active || access.Token is not { } token)
        {
            await FailAsync(reply, !access.Exists ? "channel_missing" : access.Status == ChannelStatus.NeedsReauth ? "needs_reauth" : "paused", "The channel cannot post now.");
            return true;
        }

        var instagram = Platform == ChannelIds.Instagram;
        var gate = new BudgetGate(GrainFactory.GetGrain<IRateBudgetGrain>(BudgetGate.BucketOf(Platform, AccountId)), time, Key.TenantId);
        var hostGraph = graph.For(access);
        var commentId = Require().CommentId;
        var writing = false;
        try
        {
            if (reply.WriteStartedAt is { } started)
            {
                if (Writes.SettlesAt(reply.ReplyId, started, WriteSettle) is not null)
                {
                    // Possibly still being sent by another activation: the reminder comes back for it.
                    return false;
                }

                if (await ReadBackAsync(gate, hostGraph, commentId, token, instagram, reply.Text, started - ReadBackSkew) is { } existing)
                {
                    await SentAsync(reply, existing.Id, adopted: true);
                    return true;
                }

                if (reply.Tries >= MaxWrites)
                {
                    await FailAsync(reply, "unconfirmed", "The platform did not confirm the reply, and it is not among the comment's replies.");
                    return true;
                }
            }

            reply = reply with { WriteStartedAt = time.GetUtcNow(), Tries = reply.Tries + 1 };
            await UpdateAsync(current => Present(current).WithReply(reply));
            writing = true;
            GraphResult<CreatedObject> created;
            try
            {
                created = await gate.CallAsync(BudgetPriority.Conversation, 1, () => hostGraph.ReplyToCommentAsync(commentId, token, reply.Text, instagram), r => r.Usage);
            }
            finally
            {
                Writes.Ended(reply.ReplyId, reply.WriteStartedAt!.Value);
            }

            await SentAsync(reply, created.Value.Id, adopted: false);
            return true;
        }
        catch (GraphException exception) when (exception.Kind == GraphErrorKind.Transient)
        {
            // A write in flight: its outcome is unknown, the write mark stays and the next step reads back at once.
            // A read-back that failed waits for the reminder instead of spinning.
            LogUnknownOutcome(logger, Key.TenantId, Key.ConversationId, reply.ReplyId, exception.HttpStatus);
            return writing;
        }
        catch (GraphException exception)
        {
            if (exception.Kind == GraphErrorKind.TokenInvalid)
            {
                await Channel.TokenRejected(exception.Code, exception.Subcode);
            }

            var reason = exception.Kind switch
            {
                GraphErrorKind.TokenInvalid => "needs_reauth",
                GraphErrorKind.PermissionMissing => "permission",
                _ when GraphClient.IsGone(exception) => "comment_deleted",
                _ => "rejected",
            };
            await FailAsync(reply with { WriteStartedAt = null }, reason, $"Graph refused the reply ({exception.Kind}, code {exception.Code}).");
            return true;
        }
        catch (BudgetDeferredException)
        {
            return false;
        }
    }

    private async Task<GraphComment?> ReadBackAsync(BudgetGate gate, GraphClient hostGraph, string commentId, string token, bool instagram, string text, DateTimeOffset since)
    {
        await foreach (var page in gate.PagesAsync(BudgetPriority.Conversation, hostGraph.GetRepliesAsync(commentId, token, instagram, 200)))
        {
            if (page.Items.FirstOrDefault(c => c.Body == text && (c.From?.Id == AccountId || instagram && c.From is null) && (c.At is null || c.At >= since)) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    private async Task SentAsync(ReplyRecord reply, string platformId, bool adopted)
    {
        var sent = reply with { CommentId = platformId, Delivery = ReplyRecord.Sent, WriteStartedAt = null, FailureReason = null };
        await UpdateAsync(current => Present(current).WithReply(sent).Announcing(WebhookEvent.Create(WebhookEventTypes.CommentReplied, Key.TenantId, time.GetUtcNow(),
            new CommentRepliedData(Key.ConversationId, ChannelId, sent.ReplyId, platformId, sent.RepliedBy ?? "unknown", sent.Text))));
        LogSent(logger, Key.TenantId, Key.ConversationId, reply.ReplyId, adopted ? "adopted after read-back" : "sent");
        await RelayAsync();
    }

    private async Task FailAsync(ReplyRecord reply, string reason, string detail)
    {
        var failed = reply with { Delivery = ReplyRecord.Failed, FailureReason = reason, WriteStartedAt = null };
        await UpdateAsync(current => Present(current).WithReply(failed).Announcing(ReplyFailed(failed, detail)));
        await RelayAsync();
    }

    private WebhookEvent ReplyFailed(ReplyRecord reply, string detail) =>
        WebhookEvent.Create(WebhookEventTypes.CommentReplyFailed, Key.TenantId, time.GetUtcNow(),
            new CommentReplyFailedData(Key.ConversationId, ChannelId, reply.ReplyId, reply.FailureReason ?? "failed", detail));

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "Reply {ReplyId} in conversation {ConversationId} of tenant {TenantId}: {How}")]
    private static partial void LogSent(ILogger logger, string tenantId, string conversationId, string replyId, string how);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "Reply {ReplyId} in conversation {ConversationId} of tenant {TenantId}: outcome unknown (HTTP {Status}); it is read back before any retry")]
    private static partial void LogUnknownOutcome(ILogger logger, string tenantId, string conversationId, string replyId, int status);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Warning, Message = "Reply delivery in conversation {ConversationId} of tenant {TenantId} waits for its reminder ({Failure})")]
    private static partial void LogDeliveryDeferred(ILogger logger, string tenantId, string conversationId, string failure);
}
