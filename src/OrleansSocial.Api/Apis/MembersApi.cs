using Microsoft.AspNetCore.Http.HttpResults;
using OrleansSocial.Api.Tenancy;
using OrleansSocial.Tenancy;

namespace OrleansSocial.Api.Apis;

/// <summary>Members, their roles and permissions, and their API keys.</summary>
public static class MembersApi
{
    public sealed record AddMemberRequest
    {
        public required string Email { get; init; }

        public required string Role { get; init; }

        public IReadOnlyList<string>? Permissions { get; init; }
    }

    public sealed record ChangeMemberRequest(string? Role, IReadOnlyList<string>? Permissions);

    public sealed record CreatedMemberResponse(string MemberId, string ApiKey, string KeyId);

    public static RouteGroupBuilder MapMembersApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/members").WithTags("Members").RequireMember();
        group.MapGet("/", ListMembers).RequirePermission(Permissions.MembersManage).WithSummary("Members with role and permissions (never keys)");
        group.MapPost("/", AddMember).RequirePermission(Permissions.MembersManage).WithSummary("Add a member; the response holds its first API key, shown once");
        group.MapPatch("/{memberId}", ChangeMember).RequirePermission(Permissions.MembersManage).WithSummary("Change role or extra permissions");
        group.MapDelete("/{memberId}", RemoveMember).RequirePermission(Permissions.MembersManage).WithSummary("Remove a member, revoking all its keys at once");
        // members:manage or the member itself: the tenant grain decides.
        group.MapPost("/{memberId}/keys", CreateKey).WithSummary("Rotate: a new key, shown once (members:manage or the member itself)");
        group.MapDelete("/{memberId}/keys/{keyId}", RevokeKey).WithSummary("Revoke one key (members:manage or the member itself)");
        return group;
    }

    public static async Task<Ok<Page<MemberView>>> ListMembers(HttpContext context, IGrainFactory grains, int? limit, string? cursor)
    {
        var page = await Tenant(context, grains).ListMembers(cursor, Paging.Limit(limit));
        return TypedResults.Ok(new Page<MemberView>(page.Items, page.NextCursor));
    }

    public static async Task<Created<CreatedMemberResponse>> AddMember(AddMemberRequest request, HttpContext context, IGrainFactory grains)
    {
        var created = await Tenant(context, grains).AddMember(context.Tenant().Actor, new NewMember(request.Email, request.Role, request.Permissions ?? []));
        return TypedResults.Created($"/api/members/{created.MemberId}", new CreatedMemberResponse(created.MemberId, created.Key.ApiKey, created.Key.KeyId));
    }

    public static async Task<Ok<MemberView>> ChangeMember(string memberId, ChangeMemberRequest request, HttpContext context, IGrainFactory grains) =>
        TypedResults.Ok(await Tenant(context, grains).ChangeMember(context.Tenant().Actor, memberId, new MemberChange(request.Role, request.Permissions)));

    public static async Task<NoContent> RemoveMember(string memberId, HttpContext context, IGrainFactory grains)
    {
        await Tenant(context, grains).RemoveMember(context.Tenant().Actor, memberId);
        return TypedResults.NoContent();
    }

    public static async Task<Created<CreatedKey>> CreateKey(string memberId, HttpContext context, IGrainFactory grains)
    {
        var key = await Tenant(context, grains).CreateKey(context.Tenant().Actor, memberId);
        return TypedResults.Created($"/api/members/{memberId}/keys/{key.KeyId}", key);
    }

    public static async Task<NoContent> RevokeKey(string memberId, string keyId, HttpContext context, IGrainFactory grains)
    {
        await Tenant(context, grains).RevokeKey(context.Tenant().Actor, memberId, keyId);
        return TypedResults.NoContent();
    }

    private static ITenantGrain Tenant(HttpContext context, IGrainFactory grains) => grains.GetGrain<ITenantGrain>(context.Tenant().TenantId);
}
