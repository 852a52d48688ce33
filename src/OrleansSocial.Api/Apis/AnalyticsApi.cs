using OrleansSocial.ReadModels;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansSocial.Api.Tenancy;
using OrleansSocial.ReadModels.Analytics;
using OrleansSocial.Tenancy;

namespace OrleansSocial.Api.Apis;

/// <summary>Figures across all channels of the tenant, from what the sync engine stored.</summary>
public static class AnalyticsApi
{
    public static readonly TimeSpan DefaultRange = TimeSpan.FromDays(28);
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(731);

    public static RouteGroupBuilder MapAnalyticsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/analytics").WithTags("Analytics").RequireMember();
        group.MapGet("/overview", GetOverview).RequirePermission(Permissions.AnalyticsRead)
            .WithSummary("Followers, reach, impressions and engagement per channel and in total (default: the last 28 days)");
        return group;
    }

    public static async Task<Ok<Overview>> GetOverview(HttpContext context, TenantReads reads, TimeProvider time, DateTimeOffset? since, DateTimeOffset? until, CancellationToken cancellationToken)
    {
        var to = until ?? time.GetUtcNow();
        var from = since ?? to - DefaultRange;
        if (from >= to)
        {
            throw DomainException.Invalid("since", "since must be before until.");
        }

        if (to - from > MaxRange)
        {
            throw DomainException.Invalid("since", "The range may span at most two years, the history Graph keeps.");
        }

        return TypedResults.Ok(await reads.OverviewAsync(context.Tenant().TenantId, from, to, cancellationToken));
    }
}
