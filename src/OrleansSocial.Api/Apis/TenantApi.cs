using Microsoft.AspNetCore.Http.HttpResults;
using OrleansSocial.Api.Tenancy;
using OrleansSocial.Tenancy;

namespace OrleansSocial.Api.Apis;

/// <summary>The member's view of their tenant, its settings and its audit log.</summary>
public static class TenantApi
{
    public sealed record TenantResponse(
        string TenantId, string Name, string Plan, TenantLimits Limits, TenantUsage Usage, TenantStatus Status, string TimeZone, bool RequireApproval, bool FourEyes,
        double AnomalyThreshold, double AnomalyMinimumChange);

    /// <param name="Name">The workspace's name.</param>
    /// <param name="TimeZone">An IANA time zone: schedules, calendars and best times are in it.</param>
    /// <param name="RequireApproval">Posts need a member with posts:approve before they are scheduled.</param>
    /// <param name="FourEyes">Nobody who wrote or changed a post's content approves it.</param>
    /// <param name="AnomalyThreshold">insight.anomaly is raised for a day more than this many robust standard deviations from its baseline (1-20, default 4).</param>
    /// <param name="AnomalyMinimumChange">... and at least this share away from the expected value (0-10, default 0.3).</param>
    public sealed record ChangeSettingsRequest(string? Name, string? TimeZone, bool? RequireApproval, bool? FourEyes, double? AnomalyThreshold = null, double? AnomalyMinimumChange = null);

    public static RouteGroupBuilder MapTenantApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api").WithTags("Tenant").RequireMember();
        group.MapGet("/tenant", GetTenant).WithMetadata(AnswersTenantView.Instance).WithSummary("Name, plan, limits, usage and status (any member)");
        group.MapPatch("/tenant", ChangeSettings).RequirePermission(Permissions.TenantManage).WithSummary("Name, IANA time zone, whether posts need approval, whether an author may approve their own (fourEyes)");
        group.MapGet("/audit", ReadAudit).RequirePermission(Permissions.AuditRead).WithSummary("Who did what and when, newest first");
        return group;
    }

    public static async Task<Ok<TenantResponse>> GetTenant(HttpContext context, IGrainFactory grains)
    {
        var tenant = context.Tenant();
        var view = tenant.View ?? await grains.GetGrain<ITenantGrain>(tenant.TenantId).Get()
            ?? throw DomainException.NotFound("tenant", "The tenant no longer exists.");
        return TypedResults.Ok(ToResponse(view));
    }

    public static async Task<Ok<TenantResponse>> ChangeSettings(ChangeSettingsRequest request, HttpContext context, IGrainFactory grains)
    {
        var tenant = context.Tenant();
        var view = await grains.GetGrain<ITenantGrain>(tenant.TenantId).ChangeSettings(tenant.Actor, new SettingsChange(request.Name, request.TimeZone, request.RequireApproval, request.FourEyes, request.AnomalyThreshold, request.AnomalyMinimumChange));
        return TypedResults.Ok(ToResponse(view));
    }

    public static async Task<Ok<Page<AuditEntry>>> ReadAudit(HttpContext context, IGrainFactory grains, int? limit, string? cursor)
    {
        var page = await grains.GetGrain<ITenantGrain>(context.Tenant().TenantId).ReadAudit(cursor, Paging.Limit(limit));
        return TypedResults.Ok(new Page<AuditEntry>(page.Items, page.NextCursor));
    }

    /// <summary>Members see their tenant without the operator's storage details.</summary>
    private static TenantResponse ToResponse(TenantView view) =>
        new(view.TenantId, view.Name, view.Plan, view.Limits, view.Usage, view.Status, view.TimeZone, view.RequireApproval, view.FourEyes,
        view.AnomalyThreshold, view.AnomalyMinimumChange);
}
