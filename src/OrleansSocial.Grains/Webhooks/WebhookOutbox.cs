using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansSocial.ReadModels;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Webhooks;

namespace OrleansSocial.Grains.Webhooks;

/// <summary>
/// Hands events to a tenant's endpoints: one delivery document per subscribed endpoint, written if
/// absent (relaying the same event twice changes nothing), then the endpoint is woken. Grains call it
/// after the write that recorded the events beside their change, and again at activation for events
/// whose relay a crash may have cut short.
/// </summary>
public static class WebhookOutbox
{
    /// <summary>The body every attempt of a delivery sends: Standard Webhooks' envelope with our versioned data.</summary>
    public static string Body(WebhookEvent @event) => new JsonObject
    {
        ["id"] = @event.Id,
        ["type"] = @event.Type,
        ["timestamp"] = @event.Timestamp.UtcDateTime.ToString("O"),
        ["tenantId"] = @event.TenantId,
        ["version"] = WebhookEvent.Version,
        ["data"] = JsonNode.Parse(@event.DataJson),
    }.ToJsonString();

    public static async Task RelayAsync(IGrainFactory grains, IDocumentDatabase database, IReadOnlyList<WebhookEvent> events, DateTimeOffset now, string? onlyWebhookId = null)
    {
        if (events.Count == 0)
        {
            return;
        }

        var endpoints = new List<WebhookDocument>();
        await foreach (var stored in database.GetCollection(Collections.Webhooks).ReadAllAsync())
        {
            if (DocumentJson.TryRead<WebhookDocument>(stored.Body) is { WebhookId: not null, Events: not null } endpoint && (onlyWebhookId is null || endpoint.WebhookId == onlyWebhookId))
            {
                endpoints.Add(endpoint);
            }
        }

        var deliveries = database.GetCollection(Collections.WebhookDeliveries);
        var woken = new HashSet<string>();
        for (var position = 0; position < events.Count; position++)
        {
            var @event = events[position];
            // Deliveries go out oldest first; events relayed together keep the order they were announced in
            // (a token's expiry warning before the failure it warned of), one tick apart.
            var createdAt = now.AddTicks(position);
            foreach (var endpoint in endpoints.Where(e => e.Wants(@event.Type)))
            {
                var id = DeliveryDocument.IdOf(@event.Id, endpoint.WebhookId);
                if (await deliveries.GetAsync(id, CancellationToken.None) is null)
                {
                    var delivery = new DeliveryDocument(id, endpoint.WebhookId, @event.Id, @event.Type, Body(@event), DeliveryDocument.Pending, 0, createdAt, createdAt);
                    await deliveries.UpsertAsync(id, DocumentJson.ToJson(delivery), CancellationToken.None);
                }

                woken.Add(endpoint.WebhookId);
            }
        }

        foreach (var webhookId in woken)
        {
            await grains.GetGrain<IWebhookGrain>(WebhookIds.GrainKey(events[0].TenantId, webhookId)).Wake();
        }
    }

    /// <summary>Events stored beside a document's change (its <c>outbox</c> property), if any.</summary>
    public static IReadOnlyList<WebhookEvent> StoredIn(JsonElement document) =>
        document.ValueKind == JsonValueKind.Object && document.TryGetProperty("outbox", out var outbox) && outbox.ValueKind == JsonValueKind.Array
            ? [.. outbox.EnumerateArray().Select(e => DocumentJson.TryRead<WebhookEvent>(e)).Where(e => e is { Id: not null, Type: not null, TenantId: not null, DataJson: not null }).Select(e => e!)]
            : [];

    /// <summary>A document with its events beside it: one write records the change and what it announces.</summary>
    public static JsonElement WithOutbox(JsonElement document, IReadOnlyList<WebhookEvent> events)
    {
        if (events.Count == 0)
        {
            return document;
        }

        var node = JsonNode.Parse(document.GetRawText())!.AsObject();
        node["outbox"] = JsonSerializer.SerializeToNode(events, DocumentJson.Options);
        return JsonSerializer.SerializeToElement(node);
    }
}
