using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OrleansSocial.Api.Errors;
using OrleansSocial.Api.Security;
using OrleansSocial.Tenancy;

namespace OrleansSocial.Api.Tenancy;

/// <summary>
/// Members as an authentication scheme: the <c>x-tenant-id</c> header names the tenant, the bearer
/// key proves the right to it, and the tenant grain decides. Order of refusals: header (400) →
/// tenant exists (404) → key (401) → key of this tenant (403) → tenant active (403
/// tenant-suspended); then the route's policy checks the permission (403 naming it). Nothing here
/// trusts the caller; an address that keeps failing gets 429 before its key is looked at. Allowed
/// decisions come from the <see cref="AccessCache"/> while the tenant grain has not said otherwise.
/// </summary>
internal sealed class MemberAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IGrainFactory grains,
    IProblemDetailsService problems,
    FailedAuthentication failures,
    AccessCache access)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Member";
    private const string RefusalItem = "member-auth-refusal";
    private const string ThrottledItem = "member-auth-throttled";

    private sealed record Refusal(int Status, string Title, string Detail, string? Type = null, bool Challenge = false);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var (tenantId, headerProblem) = TenantHeader.Read(Request);
        if (tenantId is null)
        {
            return Refuse(new Refusal(StatusCodes.Status400BadRequest, "Invalid tenant header", headerProblem!));
        }

        var key = TenantHeader.BearerKey(Request) ?? "";
        if (failures.Blocked(Context, FailedAuthentication.Credential(key)) is { } wait)
        {
            Context.Items[ThrottledItem] = wait;
            return AuthenticateResult.Fail("Too many failed authentications from this address.");
        }

        var decision = await access.AuthorizeAsync(tenantId, key, withView: Context.GetEndpoint()?.Metadata.GetMetadata<AnswersTenantView>() is not null);
        switch (decision.Outcome)
        {
            case AccessOutcome.Allowed:
                var tenant = new TenantContext(tenantId, decision.MemberId!, decision.Plan!, decision.Limits!) { View = decision.View, Permissions = decision.Permissions ?? [] };
                Context.Features.Set(tenant);
                // Permissions ride in the TenantContext (MemberPermissionHandler checks them), not as claims.
                var identity = new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, tenant.MemberId), new Claim("tenant", tenantId)], SchemeName);
                return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
            case AccessOutcome.UnknownTenant:
                failures.Failed(Context, "member", "unknown tenant", key, tenantId);
                return Refuse(new Refusal(StatusCodes.Status404NotFound, "Unknown tenant", "No tenant has the id in x-tenant-id."));
            case AccessOutcome.InvalidKey when await BelongsToAnotherTenantAsync(key, tenantId):
                failures.Failed(Context, "member", "key of another tenant", key, tenantId);
                return Refuse(new Refusal(StatusCodes.Status403Forbidden, "Key not valid for this tenant", "The API key does not belong to this tenant."));
            case AccessOutcome.InvalidKey:
                // No key at all guesses nothing: a 401, never a place in the failed-authentication budget.
                if (key.Length > 0)
                {
                    failures.Failed(Context, "member", "invalid key", key, tenantId);
                }

                return Refuse(new Refusal(StatusCodes.Status401Unauthorized, "API key required", "Send a member API key of this tenant as 'Authorization: Bearer <key>'.", Challenge: true));
            default:
                return Refuse(new Refusal(StatusCodes.Status403Forbidden, "Tenant suspended", "This tenant is suspended.", ProblemTypes.TenantSuspended));
        }
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        Context.Items[ThrottledItem] is int wait
            ? FailedAuthentication.WriteTooManyAsync(Context, wait)
            : WriteAsync(Context.Items[RefusalItem] as Refusal
                ?? new Refusal(StatusCodes.Status401Unauthorized, "API key required", "Send a member API key of this tenant as 'Authorization: Bearer <key>'.", Challenge: true));

    /// <summary>Authenticated, but the route's permission policy said no: 403 naming the permission, audited in the tenant's log.</summary>
    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var tenant = Context.Features.Get<TenantContext>();
        var permission = Context.GetEndpoint()?.Metadata.GetOrderedMetadata<RequiresPermission>().Select(r => r.Permission)
            .FirstOrDefault(p => tenant?.Permissions.Contains(p) != true);
        if (tenant is not null && permission is not null)
        {
            await grains.GetGrain<ITenantGrain>(tenant.TenantId).RecordAudit(tenant.Actor, "access.denied", permission, "denied", $"missing permission {permission}");
        }

        await WriteAsync(new Refusal(StatusCodes.Status403Forbidden, "Permission required", $"This needs the '{permission}' permission."), permission);
    }

    private AuthenticateResult Refuse(Refusal refusal)
    {
        Context.Items[RefusalItem] = refusal;
        return AuthenticateResult.Fail(refusal.Title);
    }

    /// <summary>Asks the tenant the key names whether the key is really its own; says nothing else about it.</summary>
    private async Task<bool> BelongsToAnotherTenantAsync(string key, string tenantId)
    {
        if (ApiKeys.Parse(key) is not { } claimed || claimed.TenantId == tenantId || !ReadModels.TenantReads.IsTenantId(claimed.TenantId))
        {
            return false;
        }

        var decision = await grains.GetGrain<ITenantGrain>(claimed.TenantId).Authorize(key, null);
        return decision.Outcome is AccessOutcome.Allowed or AccessOutcome.Suspended;
    }

    private async Task WriteAsync(Refusal refusal, string? permission = null)
    {
        Response.StatusCode = refusal.Status;
        if (refusal.Challenge)
        {
            Response.Headers.WWWAuthenticate = "Bearer";
        }

        var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = refusal.Status, Title = refusal.Title, Detail = refusal.Detail, Type = refusal.Type };
        if (permission is not null)
        {
            problem.Extensions["permission"] = permission;
        }

        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = Context, ProblemDetails = problem });
    }
}
