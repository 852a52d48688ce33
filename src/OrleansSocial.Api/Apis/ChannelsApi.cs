using Microsoft.AspNetCore.Http.HttpResults;
using OrleansSocial.Api.Channels;
using OrleansSocial.Api.Tenancy;
using OrleansSocial.Channels;
using OrleansSocial.Grains.Channels;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Naming;
using OrleansSocial.Tenancy;

namespace OrleansSocial.Api.Apis;

/// <summary>Connected Facebook Pages and Instagram business accounts.</summary>
public static class ChannelsApi
{
    public sealed record ConnectRequest
    {
        public required string UserAccessToken { get; init; }
    }

    public sealed record ChangeChannelRequest(bool? Paused);

    public static RouteGroupBuilder MapChannelsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/channels").WithTags("Channels");
        group.MapPost("/facebook", (ConnectRequest request, HttpContext context, ChannelConnector connector, CancellationToken ct) => Connect(ChannelIds.Facebook, request, context, connector, ct))
            .RequirePermission(Permissions.ChannelsManage).WithSummary("Connect the user's Facebook Pages: one channel per Page; reconnecting updates, never duplicates");
        group.MapPost("/instagram", (ConnectRequest request, HttpContext context, ChannelConnector connector, CancellationToken ct) => Connect(ChannelIds.Instagram, request, context, connector, ct))
            .RequirePermission(Permissions.ChannelsManage).WithSummary("Connect the Instagram business accounts linked to the user's Pages");
        group.MapGet("/", ListChannels).RequirePermission(Permissions.ChannelsRead).WithSummary("Channels of the tenant, never a token");
        group.MapGet("/{channelId}", GetChannel).RequirePermission(Permissions.ChannelsRead);
        group.MapPatch("/{channelId}", ChangeChannel).RequirePermission(Permissions.ChannelsManage).WithSummary("Pause or resume a channel");
        group.MapDelete("/{channelId}", DeleteChannel).RequirePermission(Permissions.ChannelsManage).WithSummary("Disconnect a channel");
        return group;
    }

    public static async Task<Created<IReadOnlyList<ChannelView>>> Connect(string platform, ConnectRequest request, HttpContext context, ChannelConnector connector, CancellationToken cancellationToken)
    {
        var tenant = context.Tenant();
        var channels = await connector.ConnectAsync(tenant.TenantId, tenant.Actor, tenant.Limits, platform, request.UserAccessToken, cancellationToken);
        return TypedResults.Created("/api/channels", channels);
    }

    public static async Task<Ok<Page<ChannelView>>> ListChannels(HttpContext context, IDocumentStore store, IGrainFactory grains, int? limit, string? cursor)
    {
        var tenant = context.Tenant();
        DocumentPage page;
        try
        {
            page = await store.GetDatabase(StorageNames.TenantDatabase(tenant.TenantId)).GetCollection(ChannelGrain.Collection)
                .QueryAsync(new DocumentQuery { Limit = Paging.Limit(limit), Cursor = cursor }, CancellationToken.None);
        }
        catch (InvalidCursorException)
        {
            throw DomainException.Invalid("cursor", "The cursor is not valid.");
        }

        var views = new List<ChannelView>();
        foreach (var item in page.Items)
        {
            if (await grains.GetGrain<IChannelGrain>(ChannelIds.GrainKey(tenant.TenantId, item.Id)).Get() is { } view)
            {
                views.Add(view);
            }
        }

        return TypedResults.Ok(new Page<ChannelView>(views, page.NextCursor));
    }

    public static async Task<Ok<ChannelView>> GetChannel(string channelId, HttpContext context, IGrainFactory grains) =>
        TypedResults.Ok(await Channel(context, grains, channelId).Get() ?? throw DomainException.NotFound("channel", $"Channel '{channelId}' does not exist."));

    public static async Task<Ok<ChannelView>> ChangeChannel(string channelId, ChangeChannelRequest request, HttpContext context, IGrainFactory grains)
    {
        var channel = Channel(context, grains, channelId);
        var view = request.Paused is { } paused ? await channel.SetPaused(paused) : await channel.Get() ?? throw DomainException.NotFound("channel", $"Channel '{channelId}' does not exist.");
        await grains.GetGrain<ITenantGrain>(context.Tenant().TenantId).RecordAudit(context.Tenant().Actor, "channel.changed", channelId, "success", request.Paused is null ? null : $"paused {request.Paused}");
        return TypedResults.Ok(view);
    }

    public static async Task<NoContent> DeleteChannel(string channelId, HttpContext context, IGrainFactory grains)
    {
        await Channel(context, grains, channelId).Disconnect();
        await grains.GetGrain<ITenantGrain>(context.Tenant().TenantId).RecordAudit(context.Tenant().Actor, "channel.disconnected", channelId, "success", null);
        return TypedResults.NoContent();
    }

    /// <summary>Channel ids are checked before they become part of a grain key.</summary>
    private static IChannelGrain Channel(HttpContext context, IGrainFactory grains, string channelId) =>
        System.Text.RegularExpressions.Regex.IsMatch(channelId, @"\A(fb|ig)-[0-9]{1,30}\z")
            ? grains.GetGrain<IChannelGrain>(ChannelIds.GrainKey(context.Tenant().TenantId, channelId))
            : throw DomainException.NotFound("channel", $"Channel '{channelId}' does not exist.");
}
