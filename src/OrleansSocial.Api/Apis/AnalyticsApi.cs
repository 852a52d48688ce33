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
        group.MapGet("/report", GetReport).RequirePermission(Permissions.AnalyticsRead)
            .Produces(StatusCodes.Status200OK, contentType: "text/csv", additionalContentTypes: ["text/html"])
            .WithSummary("The period's figures per channel and per post (default: the last 28 days): format=csv (streamed; the default) or html (one self-contained page with charts, readable offline and printable)");
        return group;
    }

    public static async Task<Ok<Overview>> GetOverview(HttpContext context, TenantReads reads, TimeProvider time, DateTimeOffset? since, DateTimeOffset? until, CancellationToken cancellationToken)
    {
        var (from, to) = Range(since, until, time);
        return TypedResults.Ok(await reads.OverviewAsync(context.Tenant().TenantId, from, to, cancellationToken));
    }

    public static async Task<IResult> GetReport(HttpContext context, TenantReads reads, IGrainFactory grains, TimeProvider time, DateTimeOffset? since, DateTimeOffset? until, string? format,
        CancellationToken cancellationToken)
    {
        var (from, to) = Range(since, until, time);
        var tenantId = context.Tenant().TenantId;
        var name = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"report-{from:yyyy-MM-dd}-{to:yyyy-MM-dd}");
        switch (format ?? "csv")
        {
            case "csv":
                return Results.Stream(stream => reads.ReportCsvAsync(tenantId, from, to, stream, cancellationToken), "text/csv; charset=utf-8", name + ".csv");
            case "html":
                var tenant = await grains.GetGrain<ITenantGrain>(tenantId).Get() ?? throw DomainException.NotFound("tenant", "The tenant no longer exists.");
                var (overview, channels) = await reads.ReportAsync(tenantId, from, to, cancellationToken);
                // A page of stored text and inline SVG: nothing in it may run or fetch.
                context.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";
                return Results.Content(ReportHtml.Render(tenant.Name, overview, channels, tenant.TimeZone), "text/html; charset=utf-8");
            default:
                throw DomainException.Invalid("format", "format must be csv or html.");
        }
    }

    /// <summary>The range asked for (default: the last 28 days), at most two years.</summary>
    private static (DateTimeOffset From, DateTimeOffset To) Range(DateTimeOffset? since, DateTimeOffset? until, TimeProvider time)
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

        return (from, to);
    }
}
