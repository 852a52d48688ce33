using OrleansSocial.Tenancy;

namespace OrleansSocial.Api.Tenancy;

/// <summary>The tenant and member a request was authorised for; set by the tenant resolution step.</summary>
public sealed record TenantContext(string TenantId, string MemberId, string Plan, TenantLimits Limits)
{
    public Actor Actor => new(MemberId);
}

/// <summary>Endpoint metadata: the permission a tenant route needs. Routes without it need any member.</summary>
public sealed record RequiresPermission(string Permission);

public static class TenantContextExtensions
{
    public static TenantContext Tenant(this HttpContext context) =>
        context.Features.Get<TenantContext>() ?? throw new InvalidOperationException("The route is not behind tenant resolution.");

    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, string permission) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiresPermission(permission));
}
