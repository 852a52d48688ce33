namespace OrleansSocial.Webhooks;

// The data of each event type, version 1. The OpenAPI document describes each as a webhook
// (top-level "webhooks"), the envelope around it included; grains build events from these.

public sealed record PostApprovalRequestedData(string PostId, string AuthorId);

public sealed record PostApprovedData(string PostId, string ApprovedBy, DateTimeOffset? ScheduledAt);

public sealed record PostRejectedData(string PostId, string RejectedBy, string Reason);

public sealed record PostPublishedData(string PostId, string ChannelId, string Platform, string? PlatformPostId, string? Permalink, DateTimeOffset PublishedAt);

public sealed record PostFailedData(string PostId, string ChannelId, string Platform, string Reason, bool Retryable, string Detail);

public sealed record ChannelConnectedData(string ChannelId, string Platform, string Name, bool Reauthorised);

public sealed record ChannelNeedsReauthData(string ChannelId, string Platform, string Detail);

public sealed record ChannelTokenExpiringData(string ChannelId, string Platform, DateTimeOffset ExpiresAt);

public sealed record SyncFailedData(string ChannelId, string SyncRunId, string Trigger, IReadOnlyList<string> Kinds, string? Error);

public sealed record WebhookTestData(string WebhookId, string RequestedBy);

public sealed record WebhookDisabledData(string WebhookId, string Url, string Reason);

public sealed record CommentReceivedData(string ConversationId, string ChannelId, string Platform, string CommentId, string PostId, string? AuthorName, string? Text,
    DateTimeOffset CreatedAt, bool IsReply);

public sealed record CommentRepliedData(string ConversationId, string ChannelId, string ReplyId, string PlatformCommentId, string RepliedBy, string Text);

public sealed record CommentReplyFailedData(string ConversationId, string ChannelId, string ReplyId, string Reason, string Detail);

/// <summary>A day of one of a channel's key series far outside its baseline: what it was, what was expected, and which way it went (<c>drop</c>/<c>spike</c>).</summary>
public sealed record InsightAnomalyData(string AnomalyId, string ChannelId, string Figure, string Metric, DateTimeOffset Day, double Value,
    double Expected, double ExpectedLow, double ExpectedHigh, string Direction);

/// <summary>What every delivery's body is: the event's id (also the webhook-id header), type, time, tenant, payload version and data.</summary>
public sealed record WebhookEnvelope<TData>(string Id, string Type, DateTimeOffset Timestamp, string TenantId, int Version, TData Data);

public static class WebhookPayloads
{
    /// <summary>Each event type's data record.</summary>
    public static readonly IReadOnlyDictionary<string, Type> DataTypes = new Dictionary<string, Type>
    {
        [WebhookEventTypes.PostApprovalRequested] = typeof(PostApprovalRequestedData),
        [WebhookEventTypes.PostApproved] = typeof(PostApprovedData),
        [WebhookEventTypes.PostRejected] = typeof(PostRejectedData),
        [WebhookEventTypes.PostPublished] = typeof(PostPublishedData),
        [WebhookEventTypes.PostFailed] = typeof(PostFailedData),
        [WebhookEventTypes.ChannelConnected] = typeof(ChannelConnectedData),
        [WebhookEventTypes.ChannelNeedsReauth] = typeof(ChannelNeedsReauthData),
        [WebhookEventTypes.ChannelTokenExpiring] = typeof(ChannelTokenExpiringData),
        [WebhookEventTypes.SyncFailed] = typeof(SyncFailedData),
        [WebhookEventTypes.WebhookTest] = typeof(WebhookTestData),
        [WebhookEventTypes.WebhookDisabled] = typeof(WebhookDisabledData),
        [WebhookEventTypes.CommentReceived] = typeof(CommentReceivedData),
        [WebhookEventTypes.CommentReplied] = typeof(CommentRepliedData),
        [WebhookEventTypes.CommentReplyFailed] = typeof(CommentReplyFailedData),
        [WebhookEventTypes.InsightAnomaly] = typeof(InsightAnomalyData),
    };
}
