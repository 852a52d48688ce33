using OrleansSocial.Grains.Secrets;
using OrleansSocial.Webhooks;

namespace OrleansSocial.Grains.Webhooks;

/// <summary>An endpoint in the tenant's <c>webhooks</c> collection; the secret only as ciphertext bound to tenant and endpoint.</summary>
public sealed record WebhookDocument(
    string WebhookId,
    string Url,
    IReadOnlyList<string> Events,
    ProtectedToken Secret,
    bool Enabled,
    string? DisabledReason,
    int ConsecutiveFailures,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<WebhookEvent>? Outbox = null) : Records.IAnnouncingRecord<WebhookDocument>
{
    public WebhookDocument WithOutbox(IReadOnlyList<WebhookEvent>? outbox) => this with { Outbox = outbox };

    /// <summary>The stored record, or null when it cannot be used as one (it then reads as missing).</summary>
    public static WebhookDocument? TryRead(System.Text.Json.JsonElement stored) =>
        OrleansSocial.ReadModels.DocumentJson.TryRead<WebhookDocument>(stored) is { WebhookId: not null, Url: not null, Events: not null, Secret: not null } read ? read : null;

    public WebhookView ToView() => new(WebhookId, Url, Events, Enabled, DisabledReason, ConsecutiveFailures, CreatedAt, UpdatedAt);

    public bool Wants(string eventType) => Enabled && (Events.Contains(eventType) || eventType == WebhookEventTypes.WebhookTest);
}

/// <summary>
/// One event for one endpoint in the tenant's <c>webhook_deliveries</c> (key <c>{eventId}.{webhookId}</c>):
/// written before anything is sent, with the exact body every attempt sends.
/// </summary>
public sealed record DeliveryDocument(
    string DeliveryId,
    string WebhookId,
    string EventId,
    string EventType,
    string Body,
    string Status,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? LastAttemptAt = null,
    int? LastResponseCode = null,
    string? LastResponseExcerpt = null,
    string? LastError = null)
{
    public const string Pending = "pending";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";

    public static string IdOf(string eventId, string webhookId) => $"{eventId}.{webhookId}";

    public WebhookDeliveryView ToView() =>
        new(DeliveryId, EventId, EventType, Status, Attempts, LastResponseCode, LastResponseExcerpt, LastError, CreatedAt, LastAttemptAt, Status == Pending ? NextAttemptAt : null);
}
