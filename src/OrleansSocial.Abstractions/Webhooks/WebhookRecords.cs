using OrleansSocial.Tenancy;

namespace OrleansSocial.Webhooks;

/// <summary>The events a tenant's endpoints can subscribe to.</summary>
public static class WebhookEventTypes
{
    public const string PostApprovalRequested = "post.approval_requested";
    public const string PostApproved = "post.approved";
    public const string PostRejected = "post.rejected";
    public const string PostPublished = "post.published";
    public const string PostFailed = "post.failed";
    public const string ChannelConnected = "channel.connected";
    public const string ChannelNeedsReauth = "channel.needs_reauth";
    public const string ChannelTokenExpiring = "channel.token_expiring";
    public const string SyncFailed = "sync.failed";
    public const string WebhookTest = "webhook.test";
    public const string WebhookDisabled = "webhook.disabled";
    public const string CommentReceived = "comment.received";
    public const string CommentReplied = "comment.replied";
    public const string CommentReplyFailed = "comment.reply_failed";
    public const string InsightAnomaly = "insight.anomaly";

    public static readonly IReadOnlyList<string> All =
    [
        PostApprovalRequested, PostApproved, PostRejected, PostPublished, PostFailed,
        ChannelConnected, ChannelNeedsReauth, ChannelTokenExpiring, SyncFailed, WebhookTest, WebhookDisabled,
        CommentReceived, CommentReplied, CommentReplyFailed, InsightAnomaly,
    ];
}

/// <summary>
/// One event: a unique id (receivers deduplicate on it; it is also the <c>webhook-id</c> header), its
/// type, when it happened, the tenant, the payload version and the type's data as JSON.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansSocial.WebhookEvent")]
public sealed record WebhookEvent(
    [property: Id(0)] string Id,
    [property: Id(1)] string Type,
    [property: Id(2)] DateTimeOffset Timestamp,
    [property: Id(3)] string TenantId,
    [property: Id(4)] string DataJson)
{
    public const int Version = 1;

    /// <param name="id">An id the caller derives from what the event is about, so announcing the same thing again delivers nothing twice; a fresh random id when null.</param>
    public static WebhookEvent Create(string type, string tenantId, DateTimeOffset at, object data, string? id = null) =>
        new(id ?? "evt_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12)), type, at, tenantId,
            System.Text.Json.JsonSerializer.Serialize(data, System.Text.Json.JsonSerializerOptions.Web));
}

/// <summary>An endpoint as members see it: never its secret.</summary>
[GenerateSerializer, Immutable, Alias("OrleansSocial.WebhookView")]
public sealed record WebhookView(
    [property: Id(0)] string WebhookId,
    [property: Id(1)] string Url,
    [property: Id(2)] IReadOnlyList<string> Events,
    [property: Id(3)] bool Enabled,
    [property: Id(4)] string? DisabledReason,
    [property: Id(5)] int ConsecutiveFailures,
    [property: Id(6)] DateTimeOffset CreatedAt,
    [property: Id(7)] DateTimeOffset UpdatedAt);

/// <summary>An endpoint with its signing secret: the answer to creating one, or rotating its secret, and only then.</summary>
[GenerateSerializer, Immutable, Alias("OrleansSocial.WebhookWithSecret")]
public sealed record WebhookWithSecret(
    [property: Id(0)] WebhookView Webhook,
    [property: Id(1)] string Secret);

[GenerateSerializer, Immutable, Alias("OrleansSocial.WebhookChange")]
public sealed record WebhookChange(
    [property: Id(0)] string? Url,
    [property: Id(1)] IReadOnlyList<string>? Events,
    [property: Id(2)] bool? Enabled);

/// <summary>One event's delivery to one endpoint, as the delivery log shows it.</summary>
[GenerateSerializer, Immutable, Alias("OrleansSocial.WebhookDeliveryView")]
public sealed record WebhookDeliveryView(
    [property: Id(0)] string DeliveryId,
    [property: Id(1)] string EventId,
    [property: Id(2)] string EventType,
    [property: Id(3)] string Status,
    [property: Id(4)] int Attempts,
    [property: Id(5)] int? LastResponseCode,
    [property: Id(6)] string? LastResponseExcerpt,
    [property: Id(7)] string? LastError,
    [property: Id(8)] DateTimeOffset CreatedAt,
    [property: Id(9)] DateTimeOffset? LastAttemptAt,
    [property: Id(10)] DateTimeOffset? NextAttemptAt);

/// <summary>
/// One webhook endpoint of one tenant (key <c>{tenantId}/{webhookId}</c>): its record, its signing
/// secret (encrypted at rest) and the delivery of its events, one at a time, retried with backoff.
/// </summary>
[Alias("OrleansSocial.IWebhookGrain")]
public interface IWebhookGrain : IGrainWithStringKey
{
    [Alias("Create")]
    Task<WebhookWithSecret> Create(Actor actor, string url, IReadOnlyList<string> events);

    [Alias("Get")]
    Task<WebhookView?> Get();

    [Alias("Change")]
    Task<WebhookView> Change(Actor actor, WebhookChange change);

    [Alias("Delete")]
    Task Delete(Actor actor);

    [Alias("RotateSecret")]
    Task<WebhookWithSecret> RotateSecret(Actor actor);

    /// <summary>Sends a <c>webhook.test</c> event to this endpoint; the delivery's id.</summary>
    [Alias("Test")]
    Task<WebhookDeliveryView> Test(Actor actor);

    /// <summary>Delivers an event again, whatever became of it before (a new attempt series).</summary>
    [Alias("Redeliver")]
    Task<WebhookDeliveryView> Redeliver(Actor actor, string deliveryId);

    /// <summary>Deliveries are waiting: start delivering if not already.</summary>
    [Alias("Wake"), Orleans.Concurrency.OneWay]
    Task Wake();
}

public static class WebhookIds
{
    public static string GrainKey(string tenantId, string webhookId) => $"{tenantId}/{webhookId}";

    public static string New() => "wh_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));

    public static bool IsValid(string webhookId) => webhookId.Length == 19 && webhookId.StartsWith("wh_", StringComparison.Ordinal) && webhookId[3..].All(char.IsAsciiHexDigitLower);
}
