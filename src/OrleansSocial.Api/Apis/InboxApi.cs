using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OrleansSocial.Api.Tenancy;
using OrleansSocial.Inbox;
using OrleansSocial.ReadModels;
using OrleansSocial.ReadModels.Inbox;
using OrleansSocial.Tenancy;

namespace OrleansSocial.Api.Apis;

/// <summary>
/// The inbox: conversations across the tenant's channels (a top-level comment with its replies),
/// latest activity first, from an index; status and assignee; replies posted on the platform
/// effectively once; hide, unhide and delete. Each conversation is its grain's.
/// </summary>
public static class InboxApi
{
    public sealed record ConversationChangeRequest(string? Status, string? AssigneeId);

    public sealed record ReplyRequest
    {
        public required string Text { get; init; }
    }

    public static RouteGroupBuilder MapInboxApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/inbox").WithTags("Inbox").RequireMember();
        group.MapGet("/", ListConversations).RequirePermission(Permissions.InboxRead)
            .WithSummary("Conversations across the tenant's channels, latest activity first; status open, done or all (default), channelId, assigneeId; rows without their replies");
        group.MapGet("/{conversationId}", GetConversation).RequirePermission(Permissions.InboxRead)
            .WithSummary("One conversation with every reply and each of ours with its delivery (sending, sent, failed)");
        group.MapPatch("/{conversationId}", ChangeConversation).RequirePermission(Permissions.InboxReply)
            .WithSummary("status open or done; assigneeId a member of this tenant (empty string unassigns)");
        group.MapPost("/{conversationId}/replies", ReplyAsync).RequirePermission(Permissions.InboxReply)
            .WithSummary("202: the reply is posted on the platform as the Page or account, effectively once; Idempotency-Key makes a retry return the same reply");
        group.MapPost("/{conversationId}/hide", Hide).RequirePermission(Permissions.InboxModerate).WithSummary("Hide the comment on the platform");
        group.MapPost("/{conversationId}/unhide", Unhide).RequirePermission(Permissions.InboxModerate).WithSummary("Show the hidden comment again");
        group.MapDelete("/{conversationId}", Delete).RequirePermission(Permissions.InboxModerate)
            .WithSummary("Delete the comment on the platform; one already deleted there is settled, not an error");
        return group;
    }

    public static async Task<Ok<Page<ConversationView>>> ListConversations(HttpContext context, TenantReads reads,
        string? status, string? channelId, string? assigneeId, int? limit, string? cursor)
    {
        var filter = status switch
        {
            null or "all" => null,
            ConversationStatuses.Open or ConversationStatuses.Done => status,
            _ => throw DomainException.Invalid("status", "status must be open, done or all."),
        };
        var (items, next) = await reads.ListAsync(context.Tenant().TenantId, new InboxQuery(filter, channelId, assigneeId, Paging.Limit(limit), cursor), CancellationToken.None);
        return TypedResults.Ok(new Page<ConversationView>(items, next));
    }

    public static async Task<Ok<ConversationView>> GetConversation(string conversationId, HttpContext context, IGrainFactory grains) =>
        TypedResults.Ok(await RequireAsync(context, grains, conversationId));

    public static async Task<Ok<ConversationView>> ChangeConversation(string conversationId, ConversationChangeRequest request, HttpContext context, IGrainFactory grains)
    {
        await RequireAsync(context, grains, conversationId);
        return TypedResults.Ok(await Conversation(context, grains, conversationId).Change(context.Tenant().Actor, new ConversationChange(request.Status, request.AssigneeId)));
    }

    public static async Task<Accepted<ReplyView>> ReplyAsync(string conversationId, ReplyRequest request, [FromHeader(Name = PostsApi.IdempotencyHeader)] string? idempotencyKey,
        HttpContext context, IGrainFactory grains)
    {
        if (idempotencyKey is { } key && (key.Length is 0 or > 200 || key.Any(c => c is < '!' or > '~')))
        {
            throw DomainException.Invalid(PostsApi.IdempotencyHeader, $"{PostsApi.IdempotencyHeader} must be 1-200 visible ASCII characters.");
        }

        await RequireAsync(context, grains, conversationId);
        var reply = await Conversation(context, grains, conversationId).Reply(context.Tenant().Actor, request.Text, idempotencyKey);
        return TypedResults.Accepted($"/api/inbox/{conversationId}", reply);
    }

    public static Task<Ok<ConversationView>> Hide(string conversationId, HttpContext context, IGrainFactory grains) => ModerateAsync(context, grains, conversationId, ModerationActions.Hide);

    public static Task<Ok<ConversationView>> Unhide(string conversationId, HttpContext context, IGrainFactory grains) => ModerateAsync(context, grains, conversationId, ModerationActions.Unhide);

    public static Task<Ok<ConversationView>> Delete(string conversationId, HttpContext context, IGrainFactory grains) => ModerateAsync(context, grains, conversationId, ModerationActions.Delete);

    private static async Task<Ok<ConversationView>> ModerateAsync(HttpContext context, IGrainFactory grains, string conversationId, string action)
    {
        await RequireAsync(context, grains, conversationId);
        return TypedResults.Ok(await Conversation(context, grains, conversationId).Moderate(context.Tenant().Actor, action));
    }

    private static IConversationGrain Conversation(HttpContext context, IGrainFactory grains, string conversationId) =>
        grains.GetGrain<IConversationGrain>(ConversationIds.GrainKey(context.Tenant().TenantId, conversationId));

    /// <summary>The conversation, or 404: an id of the wrong shape never becomes a grain key.</summary>
    private static async Task<ConversationView> RequireAsync(HttpContext context, IGrainFactory grains, string conversationId) =>
        ConversationIds.IsValid(conversationId) && await Conversation(context, grains, conversationId).Get() is { } view
            ? view
            : throw DomainException.NotFound("conversation", $"Conversation '{conversationId}' does not exist.");
}
