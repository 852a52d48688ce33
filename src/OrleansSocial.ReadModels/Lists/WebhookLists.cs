using OrleansSocial.Storage.Documents;
using OrleansSocial.Webhooks;

namespace OrleansSocial.ReadModels.Lists;

/// <summary>An endpoint's delivery log, newest first.</summary>
public sealed record DeliveriesQuery(string WebhookId, int Limit, string? Cursor) : ListQuery<WebhookDeliveryView>(Limit, Cursor)
{
    public static readonly IndexDefinition ByWebhook = new("webhook_created", [new IndexField("webhookId", FieldKind.String), new IndexField("createdAt", FieldKind.String, Descending: true)]);

    /// <summary>What an endpoint still has to deliver: its pending deliveries, found without reading its log.</summary>
    public static readonly IndexDefinition PendingByWebhook = new("webhook_status", [new IndexField("webhookId", FieldKind.String), new IndexField("status", FieldKind.String)]);

    public override string Collection => Collections.WebhookDeliveries;

    public override IndexDefinition Index => ByWebhook;

    public override DocumentQuery PageQuery => new()
    {
        Filters = [FieldFilter.Eq("webhookId", WebhookId)],
        Sort = new SortField("createdAt", FieldKind.String, Descending: true),
        Limit = Limit,
        Cursor = Cursor,
    };

    protected override WebhookDeliveryView? Read(StoredDocument document) =>
        DocumentJson.TryRead<WebhookDeliveryView>(document.Body) is { DeliveryId: not null, EventId: not null } delivery ? delivery : null;
}
