using Microsoft.AspNetCore.Authorization;
using OrleansSocial.Tenancy;

namespace OrleansSocial.Api.Tenancy;

/// <summary>The tenant and member a request was authenticated for; set by the member authentication scheme.</summary>
public sealed record TenantContext(string TenantId, string MemberId, string Plan, TenantLimits Limits)
{
    public Actor Actor => new(MemberId);

    /// <summary>The tenant as of authentication, on routes marked <see cref="AnswersTenantView"/>.</summary>
    public TenantView? View { get; init; }

    /// <summary>What the member may do, as the tenant grain decided at authentication.</summary>
    public IReadOnlyList<string> Permissions { get; init; } = [];
}

/// <summary>
/// Endpoint metadata: the route answers the tenant itself, so authentication fetches it in the same
/// grain call (the hottest read of the API, one call instead of two).
/// </summary>
public sealed class AnswersTenantView
{
    public static readonly AnswersTenantView Instance = new();
}

/// <summary>Endpoint metadata: the permission a tenant route needs (its policy checks it; the OpenAPI document and 403s name it).</summary>
public sealed record RequiresPermission(string Permission);

/// <summary>Authorization policies of tenant routes: any member of the tenant, or a member holding one permission.</summary>
public static class MemberPolicies
{
    public const string AnyMember = "member";

    public static string For(string permission) => "permission:" + permission;

    public static AuthorizationBuilder AddMemberPolicies(this AuthorizationBuilder builder)
    {
        builder.AddPolicy(AnyMember, policy => policy.AddAuthenticationSchemes(MemberAuthenticationHandler.SchemeName).RequireAuthenticatedUser());
        foreach (var permission in Permissions.All)
        {
            builder.AddPolicy(For(permission), policy => policy
                .AddAuthenticationSchemes(MemberAuthenticationHandler.SchemeName)
                .AddRequirements(new MemberPermission(permission)));
        }

        builder.Services.AddSingleton<IAuthorizationHandler, MemberPermissionHandler>();
        return builder;
    }
}

/// <summary>The member holds this permission.</summary>
public sealed record MemberPermission(string Permission) : IAuthorizationRequirement;

/// <summary>
/// Reads the permissions the authentication put in the request's <see cref="TenantContext"/>
/// rather than a claim per permission: the hottest requests then build no claims to check.
/// </summary>
internal sealed class MemberPermissionHandler : AuthorizationHandler<MemberPermission>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, MemberPermission requirement)
    {
        if (context.Resource is HttpContext http && http.Features.Get<TenantContext>() is { } tenant && tenant.Permissions.Contains(requirement.Permission))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

public static class TenantContextExtensions
{
    public static TenantContext Tenant(this HttpContext context) =>
        context.Features.Get<TenantContext>() ?? throw new InvalidOperationException("The route is not behind member authentication.");

    /// <summary>The route needs this permission: its policy, and metadata the 403 and the OpenAPI document read.</summary>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, string permission) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiresPermission(permission)).RequireAuthorization(MemberPolicies.For(permission));

    /// <summary>Every route of the group needs a member of the tenant named by x-tenant-id.</summary>
    public static RouteGroupBuilder RequireMember(this RouteGroupBuilder group) => group.RequireAuthorization(MemberPolicies.AnyMember);
}
