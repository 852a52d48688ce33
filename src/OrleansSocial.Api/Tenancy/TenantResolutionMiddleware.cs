using OrleansSocial.Api.Errors;
using OrleansSocial.Api.Security;
using OrleansSocial.Tenancy;

namespace OrleansSocial.Api.Tenancy;

/// <summary>
/// Every <c>/api</c> request: header (400) → tenant exists (404) → key (401) → key of this
/// tenant (403) → tenant active (403 tenant-suspended) → permission (403). The tenant grain
/// decides; nothing here trusts the caller. Other paths (health, admin, docs, dashboard) pass.
/// </summary>
internal sealed class TenantResolutionMiddleware(RequestDelegate next, IGrainFactory grains, IProblemDetailsService problems, FailedAuthentication failures)
{
    public const string ApiPrefix = "/api";

    public async Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments(ApiPrefix))
        {
            await next(context);
            return;
        }

        var (tenantId, headerProblem) = TenantHeader.Read(context.Request);
        if (tenantId is null)
        {
            await WriteAsync(context, StatusCodes.Status400BadRequest, "Invalid tenant header", headerProblem!);
            return;
        }

        if (failures.Blocked(context) is { } wait)
        {
            await FailedAuthentication.WriteTooManyAsync(context, wait);
            return;
        }

        var key = TenantHeader.BearerKey(context.Request) ?? "";
        var permission = context.GetEndpoint()?.Metadata.GetMetadata<RequiresPermission>()?.Permission;
        var decision = await grains.GetGrain<ITenantGrain>(tenantId).Authorize(key, permission);
        if (decision.Outcome is AccessOutcome.UnknownTenant or AccessOutcome.InvalidKey)
        {
            var reason = decision.Outcome == AccessOutcome.UnknownTenant ? "unknown tenant" : key.Length == 0 ? "no key" : "invalid key";
            failures.Failed(context, "member", reason, key, tenantId);
        }

        switch (decision.Outcome)
        {
            case AccessOutcome.Allowed:
                context.Features.Set(new TenantContext(tenantId, decision.MemberId!, decision.Plan!, decision.Limits!));
                await next(context);
                return;
            case AccessOutcome.UnknownTenant:
                await WriteAsync(context, StatusCodes.Status404NotFound, "Unknown tenant", "No tenant has the id in x-tenant-id.");
                return;
            case AccessOutcome.InvalidKey when await BelongsToAnotherTenantAsync(key, tenantId):
                await WriteAsync(context, StatusCodes.Status403Forbidden, "Key not valid for this tenant", "The API key does not belong to this tenant.");
                return;
            case AccessOutcome.InvalidKey:
                context.Response.Headers.WWWAuthenticate = "Bearer";
                await WriteAsync(context, StatusCodes.Status401Unauthorized, "API key required", "Send a member API key of this tenant as 'Authorization: Bearer <key>'.");
                return;
            case AccessOutcome.Suspended:
                await WriteAsync(context, StatusCodes.Status403Forbidden, "Tenant suspended", "This tenant is suspended.", ProblemTypes.TenantSuspended);
                return;
            default:
                await WriteAsync(context, StatusCodes.Status403Forbidden, "Permission required", $"This needs the '{decision.MissingPermission}' permission.", permission: decision.MissingPermission);
                return;
        }
    }

    /// <summary>Asks the tenant the key names whether the key is really its own; says nothing else about it.</summary>
    private async Task<bool> BelongsToAnotherTenantAsync(string key, string tenantId)
    {
        if (ApiKeys.Parse(key) is not { } claimed || claimed.TenantId == tenantId || !OrleansSocial.Storage.Naming.StorageNames.TenantIdPattern().IsMatch(claimed.TenantId))
        {
            return false;
        }

        var decision = await grains.GetGrain<ITenantGrain>(claimed.TenantId).Authorize(key, null);
        return decision.Outcome is AccessOutcome.Allowed or AccessOutcome.Suspended;
    }

    private Task WriteAsync(HttpContext context, int status, string title, string detail, string? type = null, string? permission = null)
    {
        context.Response.StatusCode = status;
        var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = status, Title = title, Detail = detail, Type = type };
        if (permission is not null)
        {
            problem.Extensions["permission"] = permission;
        }

        return problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }).AsTask();
    }
}
