using Microsoft.AspNetCore.Http.HttpResults;
using OrleansSocial.Api.Tenancy;
using OrleansSocial.Channels;
using OrleansSocial.ReadModels;
using OrleansSocial.ReadModels.Analytics;
using OrleansSocial.ReadModels.Lists;
using OrleansSocial.ReadModels.Sync;
using OrleansSocial.Tenancy;

namespace OrleansSocial.Api.Apis;

/// <summary>Connected Facebook Pages and Instagram professional accounts (through a Page or with Instagram Login).</summary>
public static class ChannelsApi
{
    public sealed record ConnectRequest
    {
        public required string UserAccessToken { get; init; }
    }

    /// <summary>A short-lived token from Instagram Login (the Instagram app's OAuth, no Facebook Page).</summary>
    public sealed record InstagramLoginRequest
    {
        public required string AccessToken { get; init; }
    }

    public sealed record ChangeChannelRequest(bool? Paused);

    public sealed record SyncBody(IReadOnlyList<string>? Kinds);

    public sealed record SyncAccepted(string SyncRunId, SyncRunStatus Status);

    public static RouteGroupBuilder MapChannelsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/channels").WithTags("Channels").RequireMember();
        group.MapPost("/facebook", (ConnectRequest request, HttpContext context, IGrainFactory grains) => Connect(ChannelIds.Facebook, request, context, grains))
            .RequirePermission(Permissions.ChannelsManage).WithName("ConnectFacebook").WithSummary("Connect the user's Facebook Pages: one channel per Page; reconnecting updates, never duplicates");
        group.MapPost("/instagram", (ConnectRequest request, HttpContext context, IGrainFactory grains) => Connect(ChannelIds.Instagram, request, context, grains))
            .RequirePermission(Permissions.ChannelsManage).WithName("ConnectInstagram").WithSummary("Connect the Instagram business accounts linked to the user's Pages");
        group.MapPost("/instagram-login", ConnectInstagramLogin).RequirePermission(Permissions.ChannelsManage).WithName("ConnectInstagramLogin")
            .WithSummary("Connect an Instagram professional account with Instagram Login (no Facebook Page): the short-lived token is exchanged for a 60-day one, refreshed before it expires; reconnecting updates, never duplicates");
        group.MapGet("/", ListChannels).RequirePermission(Permissions.ChannelsRead).WithSummary("Channels of the tenant, never a token");
        group.MapGet("/{channelId}", GetChannel).RequirePermission(Permissions.ChannelsRead).WithSummary("A channel: status, token expiry warning, last and next sync per kind; never a token");
        group.MapPatch("/{channelId}", ChangeChannel).RequirePermission(Permissions.ChannelsManage).WithSummary("Pause or resume a channel");
        group.MapPut("/{channelId}/token", ReplaceToken).RequirePermission(Permissions.ChannelsManage).WithSummary("Re-authorise a channel with a fresh user token");
        group.MapDelete("/{channelId}", DeleteChannel).RequirePermission(Permissions.ChannelsManage).WithSummary("Disconnect a channel: its reminders stop and its synced data is deleted");
        group.MapPost("/{channelId}/sync", Sync).RequirePermission(Permissions.SyncTrigger)
            .WithSummary("Start a manual sync (202 with the run); a run already going is returned; over the plan's budget 429 with timeToReset");
        group.MapGet("/{channelId}/sync-runs", SyncRuns).RequirePermission(Permissions.ChannelsRead).WithSummary("Sync history, newest first");
        group.MapGet("/{channelId}/profile", Profile).RequirePermission(Permissions.ChannelsRead).WithSummary("Latest profile snapshot");
        group.MapGet("/{channelId}/posts", Posts).RequirePermission(Permissions.ChannelsRead).WithSummary("Synced posts or media, newest first, with engagement counts");
        group.MapGet("/{channelId}/posts/{postId}/comments", Comments).RequirePermission(Permissions.ChannelsRead).WithSummary("Synced comments of a post");
        group.MapGet("/{channelId}/insights", Insights).RequirePermission(Permissions.AnalyticsRead).WithSummary("Stored insight values");
        group.MapGet("/{channelId}/anomalies", Anomalies).RequirePermission(Permissions.AnalyticsRead)
            .WithSummary("Days a key series (followers, reach, engagement) lay far outside the channel's own weekday-aware baseline, most recent first: metric, value, expected range, direction");
        group.MapGet("/{channelId}/best-times", BestTimes).RequirePermission(Permissions.AnalyticsRead)
            .WithSummary("When this channel's audience engages: weekday × hour slots in the tenant's time zone ranked by engagement per 1,000 followers, each with its sample; too little history says so");
        return group;
    }

    public static async Task<Created<IReadOnlyList<ChannelView>>> Connect(string platform, ConnectRequest request, HttpContext context, IGrainFactory grains)
    {
        var tenant = context.Tenant();
        var channels = await grains.GetGrain<IChannelConnectorGrain>(tenant.TenantId).Connect(tenant.Actor, platform, request.UserAccessToken);
        return TypedResults.Created("/api/channels", channels);
    }

    public static async Task<Created<ChannelView>> ConnectInstagramLogin(InstagramLoginRequest request, HttpContext context, IGrainFactory grains)
    {
        var tenant = context.Tenant();
        var channel = await grains.GetGrain<IChannelConnectorGrain>(tenant.TenantId).ConnectInstagramLogin(tenant.Actor, request.AccessToken);
        return TypedResults.Created($"/api/channels/{channel.ChannelId}", channel);
    }

    public static async Task<Ok<ChannelView>> ReplaceToken(string channelId, ConnectRequest request, HttpContext context, IGrainFactory grains)
    {
        var tenant = context.Tenant();
        Channel(context, grains, channelId);
        return TypedResults.Ok(await grains.GetGrain<IChannelConnectorGrain>(tenant.TenantId).Reauthorize(tenant.Actor, channelId, request.UserAccessToken));
    }

    public static async Task<Ok<Page<ChannelView>>> ListChannels(HttpContext context, TenantReads reads, IGrainFactory grains, int? limit, string? cursor)
    {
        var tenant = context.Tenant();
        var (ids, next) = await reads.ChannelIdsAsync(tenant.TenantId, Paging.Limit(limit), cursor, CancellationToken.None);
        var views = new List<ChannelView>();
        foreach (var id in ids)
        {
            if (await grains.GetGrain<IChannelGrain>(ChannelIds.GrainKey(tenant.TenantId, id)).Get() is { } view)
            {
                views.Add(view);
            }
        }

        return TypedResults.Ok(new Page<ChannelView>(views, next));
    }

    public static async Task<Ok<ChannelView>> GetChannel(string channelId, HttpContext context, IGrainFactory grains) =>
        TypedResults.Ok(await RequireChannelAsync(context, grains, channelId));

    public static async Task<Ok<ChannelView>> ChangeChannel(string channelId, ChangeChannelRequest request, HttpContext context, IGrainFactory grains)
    {
        var channel = Channel(context, grains, channelId);
        var view = request.Paused is { } paused ? await channel.SetPaused(paused) : await RequireChannelAsync(context, grains, channelId);
        await grains.GetGrain<ITenantGrain>(context.Tenant().TenantId).RecordAudit(context.Tenant().Actor, "channel.changed", channelId, "success", request.Paused is null ? null : $"paused {request.Paused}");
        return TypedResults.Ok(view);
    }

    public static async Task<NoContent> DeleteChannel(string channelId, HttpContext context, IGrainFactory grains)
    {
        await Channel(context, grains, channelId).Disconnect();
        await grains.GetGrain<ITenantGrain>(context.Tenant().TenantId).RecordAudit(context.Tenant().Actor, "channel.disconnected", channelId, "success", null);
        return TypedResults.NoContent();
    }

    public static async Task<Accepted<SyncAccepted>> Sync(string channelId, SyncBody? body, HttpContext context, IGrainFactory grains)
    {
        var tenant = context.Tenant();
        var run = await Channel(context, grains, channelId).RequestSync(new SyncRequest(body?.Kinds ?? []));
        return TypedResults.Accepted($"/api/channels/{channelId}/sync-runs", new SyncAccepted(run.SyncRunId, run.Status));
    }

    public static async Task<Ok<Page<SyncRunView>>> SyncRuns(string channelId, HttpContext context, IGrainFactory grains, TenantReads reads, int? limit, string? cursor)
    {
        await RequireChannelAsync(context, grains, channelId);
        var (items, next) = await reads.ListAsync(context.Tenant().TenantId, new SyncRunsQuery(channelId, Paging.Limit(limit), cursor), CancellationToken.None);
        return TypedResults.Ok(new Page<SyncRunView>([.. items.Select(r => r.Run)], next));
    }

    public static async Task<Ok<ProfileRecord>> Profile(string channelId, HttpContext context, IGrainFactory grains, TenantReads reads)
    {
        await RequireChannelAsync(context, grains, channelId);
        var profile = await reads.ProfileAsync(context.Tenant().TenantId, channelId, CancellationToken.None);
        return TypedResults.Ok(profile ?? throw DomainException.NotFound("profile", "No sync has stored a profile for this channel yet."));
    }

    public static async Task<Ok<Page<PostRecord>>> Posts(string channelId, HttpContext context, IGrainFactory grains, TenantReads reads, DateTimeOffset? since, DateTimeOffset? until, int? limit, string? cursor)
    {
        await RequireChannelAsync(context, grains, channelId);
        var (items, next) = await reads.ListAsync(context.Tenant().TenantId, new SyncedPostsQuery(channelId, since, until, Paging.Limit(limit), cursor), CancellationToken.None);
        return TypedResults.Ok(new Page<PostRecord>(items, next));
    }

    public static async Task<Ok<Page<CommentRecord>>> Comments(string channelId, string postId, HttpContext context, IGrainFactory grains, TenantReads reads, int? limit, string? cursor)
    {
        await RequireChannelAsync(context, grains, channelId);
        var (items, next) = await reads.ListAsync(context.Tenant().TenantId, new CommentsQuery(channelId, postId, Paging.Limit(limit), cursor), CancellationToken.None);
        return TypedResults.Ok(new Page<CommentRecord>(items, next));
    }

    public static async Task<Ok<Page<InsightRecord>>> Insights(string channelId, HttpContext context, IGrainFactory grains, TenantReads reads, string? metric, string? period, DateTimeOffset? since, DateTimeOffset? until, int? limit, string? cursor)
    {
        await RequireChannelAsync(context, grains, channelId);
        var (items, next) = await reads.ListAsync(context.Tenant().TenantId, new InsightsQuery(channelId, metric, period, since, until, Paging.Limit(limit), cursor), CancellationToken.None);
        return TypedResults.Ok(new Page<InsightRecord>(items, next));
    }

    public static async Task<Ok<Page<AnomalyRecord>>> Anomalies(string channelId, HttpContext context, IGrainFactory grains, TenantReads reads, int? limit, string? cursor)
    {
        await RequireChannelAsync(context, grains, channelId);
        var (items, next) = await reads.ListAsync(context.Tenant().TenantId, new AnomaliesQuery(channelId, Paging.Limit(limit), cursor), CancellationToken.None);
        return TypedResults.Ok(new Page<AnomalyRecord>(items, next));
    }

    public static async Task<Ok<BestTimesView>> BestTimes(string channelId, HttpContext context, IGrainFactory grains, TenantReads reads, CancellationToken cancellationToken)
    {
        await RequireChannelAsync(context, grains, channelId);
        return TypedResults.Ok(await reads.BestTimesAsync(context.Tenant().TenantId, channelId, cancellationToken));
    }

    private static async Task<ChannelView> RequireChannelAsync(HttpContext context, IGrainFactory grains, string channelId) =>
        await Channel(context, grains, channelId).Get() ?? throw DomainException.NotFound("channel", $"Channel '{channelId}' does not exist.");

    /// <summary>Channel ids are checked before they become part of a grain key.</summary>
    private static IChannelGrain Channel(HttpContext context, IGrainFactory grains, string channelId) =>
        ChannelIds.IsValid(channelId)
            ? grains.GetGrain<IChannelGrain>(ChannelIds.GrainKey(context.Tenant().TenantId, channelId))
            : throw DomainException.NotFound("channel", $"Channel '{channelId}' does not exist.");
}
