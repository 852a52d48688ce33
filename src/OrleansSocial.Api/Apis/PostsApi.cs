using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OrleansSocial.Api.Tenancy;
using OrleansSocial.Api.Validation;
using OrleansSocial.Channels;
using OrleansSocial.Posts;
using OrleansSocial.ReadModels;
using OrleansSocial.ReadModels.Analytics;
using OrleansSocial.ReadModels.Posts;
using OrleansSocial.Tenancy;
using OrleansSocial.Validation;

namespace OrleansSocial.Api.Apis;

/// <summary>
/// Posts composed in the product: drafts, approval (with four eyes when the tenant asks),
/// scheduling against the plan's monthly limit, and publishing: at the due time, now, or again
/// after a failure. Delivery itself is the post grain's.
/// </summary>
public static class PostsApi
{
    public const string IdempotencyHeader = "Idempotency-Key";

    /// <param name="Text">This channel's text instead of the post's.</param>
    /// <param name="MediaUrls">This channel's media instead of the post's.</param>
    /// <param name="Story">On an Instagram channel: publish as a story (one image or one video; no caption is shown).</param>
    public sealed record VariantRequest(string? Text, IReadOnlyList<string>? MediaUrls, bool? Story = null);

    public sealed record PostRequest
    {
        public required IReadOnlyList<string> ChannelIds { get; init; }

        public string? Text { get; init; }

        public string? Link { get; init; }

        public IReadOnlyList<string>? MediaUrls { get; init; }

        public IReadOnlyDictionary<string, VariantRequest>? Variants { get; init; }

        [System.Text.Json.Serialization.JsonConverter(typeof(OffsetRequiredConverter))]
        public DateTimeOffset? ScheduledAt { get; init; }

        /// <summary>
        /// Instead of <c>scheduledAt</c>: one of <c>channelIds</c>. The post is scheduled at the soonest start of
        /// one of that channel's three best slots (<c>GET /api/channels/{id}/best-times</c>), at least 15 minutes
        /// from now; the time chosen is stored and answered as <c>scheduledAt</c>. A channel without a ranking yet: 422.
        /// </summary>
        public string? BestTimeFor { get; init; }

        /// <summary>Posted as a comment on each publication right after it is published (as the Page or account), once; its outcome is on the publication.</summary>
        public string? FirstComment { get; init; }
    }

    public sealed record RejectRequest
    {
        public required string Reason { get; init; }
    }

    public static RouteGroupBuilder MapPostsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/posts").WithTags("Posts").RequireMember();
        group.MapPost("/", CreatePost).RequirePermission(Permissions.PostsWrite)
            .WithSummary("Compose a post for channels of this tenant; with scheduledAt it is submitted at once. Idempotency-Key makes a retry return the same post");
        group.MapGet("/", ListPosts).RequirePermission(Permissions.ChannelsRead).WithSummary("Calendar: posts by status, channel and scheduled time, earliest first");
        group.MapGet("/{postId}", GetPost).RequirePermission(Permissions.ChannelsRead).WithSummary("A post with its publications; its ETag is the version to send as If-Match");
        group.MapPatch("/{postId}", EditPost).RequirePermission(Permissions.PostsWrite)
            .WithSummary("Replace the content before publishing starts; an approved post goes back for approval");
        group.MapDelete("/{postId}", CancelPost).RequirePermission(Permissions.PostsWrite).WithSummary("Cancel a post before publishing starts; it stays in the calendar as cancelled");
        group.MapPost("/{postId}/submit", SubmitPost).RequirePermission(Permissions.PostsWrite)
            .WithSummary("A draft goes to pending_approval, or straight to scheduled when the tenant needs no approval");
        group.MapPost("/{postId}/approve", ApprovePost).RequirePermission(Permissions.PostsApprove)
            .WithSummary("Approve: scheduled. With fourEyes the author cannot approve their own post");
        group.MapPost("/{postId}/reject", RejectPost).RequirePermission(Permissions.PostsApprove).WithSummary("Reject with a reason: back to draft, reason kept");
        group.MapPost("/{postId}/publish-now", PublishNow).RequirePermission(Permissions.PostsPublish)
            .WithSummary("Publish a scheduled post now (or a draft, when the tenant needs no approval); it counts against the monthly limit like any scheduled post");
        group.MapPost("/{postId}/publications/{channelId}/retry", RetryPublication).RequirePermission(Permissions.PostsPublish)
            .WithSummary("Try a failed publication again, now; after an unknown outcome it reads back before it writes");
        return group;
    }

    public static async Task<Created<PostView>> CreatePost(PostRequest request, [FromHeader(Name = IdempotencyHeader)] string? idempotencyKey, HttpContext context, IGrainFactory grains,
        TenantReads reads, TimeProvider time)
    {
        var tenant = context.Tenant();
        if (idempotencyKey is { } key && (key.Length is 0 or > 200 || key.Any(c => c is < '!' or > '~')))
        {
            throw DomainException.Invalid(IdempotencyHeader, $"{IdempotencyHeader} must be 1-200 visible ASCII characters.");
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request)));
        // A retry is answered from what the first request made before its body is judged again: the
        // scheduled time it named may have passed meanwhile, and the answer must still be the same post.
        if (idempotencyKey is not null && await grains.GetGrain<ITenantGrain>(tenant.TenantId).FindReservedPost(idempotencyKey) is { } earlier)
        {
            if (earlier.BodyHash != hash)
            {
                throw new DomainException(ProblemKind.Unprocessable, "This Idempotency-Key was used with a different body.", IdempotencyHeader);
            }

            if (await Post(grains, tenant.TenantId, earlier.PostId).Get() is { } made)
            {
                return Created(context, made);
            }
        }

        var (content, targets) = await ValidateAsync(request, context, grains, reads, time);
        var (postId, _) = await grains.GetGrain<ITenantGrain>(tenant.TenantId).ReservePost(idempotencyKey, hash);
        var post = await Post(grains, tenant.TenantId, postId).Create(tenant.Actor, content, targets);
        return Created(context, post);
    }

    private static Created<PostView> Created(HttpContext context, PostView post) =>
        TypedResults.Created($"/api/posts/{post.PostId}", Tagged(context, post));

    /// <summary>The statuses as the API spells them (snake_case), for the <c>status</c> filter.</summary>
    public static readonly IReadOnlyDictionary<string, PublicationStatus> StatusNames =
        Enum.GetValues<PublicationStatus>().ToDictionary(s => JsonNamingPolicy.SnakeCaseLower.ConvertName(s.ToString()), s => s, StringComparer.Ordinal);

    public static async Task<Ok<Page<PostView>>> ListPosts(HttpContext context, TenantReads reads, string? status, string? channelId, DateTimeOffset? from, DateTimeOffset? to, int? limit, string? cursor)
    {
        PublicationStatus? wanted = status is null ? null
            : StatusNames.TryGetValue(status, out var parsed) ? parsed
            : throw DomainException.Invalid("status", $"status must be one of: {string.Join(", ", StatusNames.Keys)}.");
        var (items, next) = await reads.CalendarAsync(context.Tenant().TenantId, new CalendarQuery(wanted, channelId, from, to, Paging.Limit(limit), cursor), context.RequestAborted);
        return TypedResults.Ok(new Page<PostView>(items, next));
    }

    public static async Task<Ok<PostView>> GetPost(string postId, HttpContext context, IGrainFactory grains) =>
        TypedResults.Ok(Tagged(context, await RequirePostAsync(context, grains, postId)));

    public static async Task<Ok<PostView>> EditPost(string postId, PostRequest request, [FromHeader(Name = "If-Match")] string? ifMatch, HttpContext context, IGrainFactory grains,
        TenantReads reads, TimeProvider time)
    {
        await RequirePostAsync(context, grains, postId);
        var (content, targets) = await ValidateAsync(request, context, grains, reads, time);
        return TypedResults.Ok(Tagged(context, await Post(grains, context.Tenant().TenantId, postId).Edit(context.Tenant().Actor, content, targets, ifMatch)));
    }

    public static async Task<Ok<PostView>> CancelPost(string postId, [FromHeader(Name = "If-Match")] string? ifMatch, HttpContext context, IGrainFactory grains)
    {
        await RequirePostAsync(context, grains, postId);
        return TypedResults.Ok(Tagged(context, await Post(grains, context.Tenant().TenantId, postId).Cancel(context.Tenant().Actor, ifMatch)));
    }

    public static async Task<Ok<PostView>> SubmitPost(string postId, [FromHeader(Name = "If-Match")] string? ifMatch, HttpContext context, IGrainFactory grains)
    {
        await RequirePostAsync(context, grains, postId);
        return TypedResults.Ok(Tagged(context, await Post(grains, context.Tenant().TenantId, postId).Submit(context.Tenant().Actor, ifMatch)));
    }

    public static async Task<Ok<PostView>> ApprovePost(string postId, [FromHeader(Name = "If-Match")] string? ifMatch, HttpContext context, IGrainFactory grains)
    {
        await RequirePostAsync(context, grains, postId);
        return TypedResults.Ok(Tagged(context, await Post(grains, context.Tenant().TenantId, postId).Approve(context.Tenant().Actor, ifMatch)));
    }

    public static async Task<Ok<PostView>> RejectPost(string postId, RejectRequest request, [FromHeader(Name = "If-Match")] string? ifMatch, HttpContext context, IGrainFactory grains)
    {
        await RequirePostAsync(context, grains, postId);
        return TypedResults.Ok(Tagged(context, await Post(grains, context.Tenant().TenantId, postId).Reject(context.Tenant().Actor, request.Reason, ifMatch)));
    }

    public static async Task<Ok<PostView>> PublishNow(string postId, HttpContext context, IGrainFactory grains)
    {
        await RequirePostAsync(context, grains, postId);
        return TypedResults.Ok(Tagged(context, await Post(grains, context.Tenant().TenantId, postId).PublishNow(context.Tenant().Actor)));
    }

    /// <summary>The post's version goes with every single-post answer, for If-Match on the next change.</summary>
    private static PostView Tagged(HttpContext context, PostView post)
    {
        context.Response.Headers.ETag = PostETag.Of(post);
        return post;
    }

    public static async Task<Ok<PostView>> RetryPublication(string postId, string channelId, HttpContext context, IGrainFactory grains)
    {
        var post = await RequirePostAsync(context, grains, postId);
        if (post.Publications.All(p => p.ChannelId != channelId))
        {
            throw DomainException.NotFound("publication", $"Post '{postId}' has no publication for channel '{channelId}'.");
        }

        return TypedResults.Ok(await Post(grains, context.Tenant().TenantId, postId).Retry(context.Tenant().Actor, channelId));
    }

    /// <summary>Channels of this tenant only (another tenant's is 404), variants for listed channels only, each channel's content by its platform's rules.</summary>
    private static async Task<(PostContent Content, IReadOnlyList<PostTarget> Targets)> ValidateAsync(PostRequest request, HttpContext context, IGrainFactory grains,
        TenantReads reads, TimeProvider time)
    {
        var tenantId = context.Tenant().TenantId;
        if (request.ChannelIds.Count == 0)
        {
            throw DomainException.Invalid("channelIds", "A post goes to at least one channel.");
        }

        var targets = new List<PostTarget>();
        foreach (var channelId in request.ChannelIds.Distinct(StringComparer.Ordinal))
        {
            var channel = ChannelIds.IsValid(channelId)
                ? await grains.GetGrain<IChannelGrain>(ChannelIds.GrainKey(tenantId, channelId)).Get()
                : null;
            targets.Add(channel is null
                ? throw DomainException.NotFound("channel", $"Channel '{channelId}' does not exist.")
                : new PostTarget(channelId, channel.Platform));
        }

        var variants = request.Variants ?? new Dictionary<string, VariantRequest>();
        if (variants.Keys.FirstOrDefault(k => targets.All(t => t.ChannelId != k)) is { } stray)
        {
            throw DomainException.Invalid($"variants.{stray}", $"variants.{stray}: a variant is for one of the post's channelIds.");
        }

        var media = request.MediaUrls ?? [];
        foreach (var target in targets)
        {
            var variant = variants.GetValueOrDefault(target.ChannelId);
            var prefix = variant is null ? "" : $"variants.{target.ChannelId}.";
            PostRules.Validate(target.Platform, new PublicationContent(variant?.Text ?? request.Text, request.Link, variant?.MediaUrls ?? media, variant?.Story == true), prefix);
        }

        if (request.ScheduledAt is { } at)
        {
            PostRules.ValidateSchedule(at, time.GetUtcNow());
        }

        PostRules.ValidateFirstComment(request.FirstComment);
        var scheduledAt = request.BestTimeFor is { } bestFor
            ? await BestTimeAsync(request, bestFor, targets, tenantId, reads, time)
            : request.ScheduledAt?.ToUniversalTime();
        var content = new PostContent(request.Text, request.Link, media,
            variants.ToDictionary(v => v.Key, v => new VariantContent(v.Value.Text, v.Value.MediaUrls, v.Value.Story == true ? true : null)), scheduledAt, request.FirstComment);
        return (content, targets);
    }

    /// <summary>The time <c>bestTimeFor</c> chooses: the soonest of the channel's best slots, from its stored tally.</summary>
    private static async Task<DateTimeOffset> BestTimeAsync(PostRequest request, string channelId, IReadOnlyList<PostTarget> targets, string tenantId, TenantReads reads, TimeProvider time)
    {
        if (request.ScheduledAt is not null)
        {
            throw DomainException.Invalid("bestTimeFor", "bestTimeFor: give scheduledAt or bestTimeFor, not both.");
        }

        if (targets.All(t => t.ChannelId != channelId))
        {
            throw DomainException.Invalid("bestTimeFor", "bestTimeFor: one of the post's channelIds.");
        }

        var best = await reads.BestTimesAsync(tenantId, channelId, CancellationToken.None);
        return BestTimesRanking.NextSlot(best, time.GetUtcNow())
            ?? throw new DomainException(ProblemKind.Unprocessable, $"bestTimeFor: channel '{channelId}' has no best times yet. {best.Detail}", "bestTimeFor");
    }

    private static async Task<PostView> RequirePostAsync(HttpContext context, IGrainFactory grains, string postId) =>
        (PostIds.IsValid(postId) ? await Post(grains, context.Tenant().TenantId, postId).Get() : null)
        ?? throw DomainException.NotFound("post", $"Post '{postId}' does not exist.");

    private static IPostGrain Post(IGrainFactory grains, string tenantId, string postId) => grains.GetGrain<IPostGrain>(PostIds.GrainKey(tenantId, postId));
}
