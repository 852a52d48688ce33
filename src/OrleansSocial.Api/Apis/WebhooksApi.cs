using Microsoft.AspNetCore.Http.HttpResults;
using OrleansSocial.Api.Tenancy;
using OrleansSocial.ReadModels;
using OrleansSocial.ReadModels.Lists;
using OrleansSocial.Tenancy;
using OrleansSocial.Webhooks;

namespace OrleansSocial.Api.Apis;

/// <summary>
/// Webhook endpoints of a tenant: register, change, delete, rotate the signing secret (shown once),
/// send a test event, read the delivery log and redeliver. Delivery itself is the webhook grain's.
/// </summary>
public static class WebhooksApi
{
    public sealed record WebhookRequest
    {
        public required string Url { get; init; }

        public required IReadOnlyList<string> Events { get; init; }
    }

    public sealed record WebhookChangeRequest(string? Url, IReadOnlyList<string>? Events, bool? Enabled);

    public static RouteGroupBuilder MapWebhooksApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/webhooks").WithTags("Webhooks").RequireMember();
        group.MapGet("/", ListWebhooks).RequirePermission(Permissions.TenantManage).WithSummary("Webhook endpoints (never their secrets)");
        group.MapPost("/", CreateWebhook).RequirePermission(Permissions.TenantManage)
            .WithSummary($"Register an endpoint: https, not on a private, loopback or link-local address; 201 with its signing secret, shown once. Events: {string.Join(", ", WebhookEventTypes.All)}");
        group.MapGet("/{webhookId}", GetWebhook).RequirePermission(Permissions.TenantManage).WithSummary("A webhook endpoint: its URL, events and state; never its secret");
        group.MapPatch("/{webhookId}", ChangeWebhook).RequirePermission(Permissions.TenantManage).WithSummary("Change url or events, or enable (resets the failure count) or disable");
        group.MapDelete("/{webhookId}", DeleteWebhook).RequirePermission(Permissions.TenantManage).WithSummary("Delete an endpoint and its delivery log");
        group.MapPost("/{webhookId}/rotate-secret", RotateSecret).RequirePermission(Permissions.TenantManage).WithSummary("A new signing secret, shown once; the old one stops signing at once");
        group.MapPost("/{webhookId}/test", SendTest).RequirePermission(Permissions.TenantManage).WithSummary("Send a webhook.test event to this endpoint; 202 with its delivery");
        group.MapGet("/{webhookId}/deliveries", ListDeliveries).RequirePermission(Permissions.TenantManage)
            .WithSummary("Delivery log, newest first: status (pending, succeeded, failed), attempts, last response code and a short excerpt");
        group.MapPost("/{webhookId}/deliveries/{deliveryId}/redeliver", Redeliver).RequirePermission(Permissions.TenantManage)
            .WithSummary("Deliver an event again (a new series of attempts); 202 with the delivery");
        return group;
    }

    public static async Task<Ok<Page<WebhookView>>> ListWebhooks(HttpContext context, TenantReads reads) =>
        TypedResults.Ok(new Page<WebhookView>(await reads.WebhooksAsync(context.Tenant().TenantId, CancellationToken.None), null));

    public static async Task<Created<WebhookWithSecret>> CreateWebhook(WebhookRequest request, HttpContext context, IGrainFactory grains)
    {
        var created = await Webhook(context, grains, WebhookIds.New()).Create(context.Tenant().Actor, request.Url, request.Events);
        return TypedResults.Created($"/api/webhooks/{created.Webhook.WebhookId}", created);
    }

    public static async Task<Ok<WebhookView>> GetWebhook(string webhookId, HttpContext context, IGrainFactory grains) =>
        TypedResults.Ok(await RequireAsync(context, grains, webhookId));

    public static async Task<Ok<WebhookView>> ChangeWebhook(string webhookId, WebhookChangeRequest request, HttpContext context, IGrainFactory grains)
    {
        await RequireAsync(context, grains, webhookId);
        return TypedResults.Ok(await Webhook(context, grains, webhookId).Change(context.Tenant().Actor, new WebhookChange(request.Url, request.Events, request.Enabled)));
    }

    public static async Task<NoContent> DeleteWebhook(string webhookId, HttpContext context, IGrainFactory grains)
    {
        await RequireAsync(context, grains, webhookId);
        await Webhook(context, grains, webhookId).Delete(context.Tenant().Actor);
        return TypedResults.NoContent();
    }

    public static async Task<Ok<WebhookWithSecret>> RotateSecret(string webhookId, HttpContext context, IGrainFactory grains)
    {
        await RequireAsync(context, grains, webhookId);
        return TypedResults.Ok(await Webhook(context, grains, webhookId).RotateSecret(context.Tenant().Actor));
    }

    public static async Task<Accepted<WebhookDeliveryView>> SendTest(string webhookId, HttpContext context, IGrainFactory grains)
    {
        await RequireAsync(context, grains, webhookId);
        var delivery = await Webhook(context, grains, webhookId).Test(context.Tenant().Actor);
        return TypedResults.Accepted($"/api/webhooks/{webhookId}/deliveries", delivery);
    }

    public static async Task<Ok<Page<WebhookDeliveryView>>> ListDeliveries(string webhookId, HttpContext context, IGrainFactory grains, TenantReads reads, int? limit, string? cursor)
    {
        await RequireAsync(context, grains, webhookId);
        var (items, next) = await reads.ListAsync(context.Tenant().TenantId, new DeliveriesQuery(webhookId, Paging.Limit(limit), cursor), CancellationToken.None);
        return TypedResults.Ok(new Page<WebhookDeliveryView>(items, next));
    }

    public static async Task<Accepted<WebhookDeliveryView>> Redeliver(string webhookId, string deliveryId, HttpContext context, IGrainFactory grains)
    {
        await RequireAsync(context, grains, webhookId);
        var delivery = await Webhook(context, grains, webhookId).Redeliver(context.Tenant().Actor, deliveryId);
        return TypedResults.Accepted($"/api/webhooks/{webhookId}/deliveries", delivery);
    }

    private static async Task<WebhookView> RequireAsync(HttpContext context, IGrainFactory grains, string webhookId) =>
        (WebhookIds.IsValid(webhookId) ? await Webhook(context, grains, webhookId).Get() : null)
        ?? throw DomainException.NotFound("webhook", $"Webhook '{webhookId}' does not exist.");

    private static IWebhookGrain Webhook(HttpContext context, IGrainFactory grains, string webhookId) =>
        grains.GetGrain<IWebhookGrain>(WebhookIds.GrainKey(context.Tenant().TenantId, webhookId));
}
