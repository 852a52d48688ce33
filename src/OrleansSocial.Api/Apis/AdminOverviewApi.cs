using Microsoft.AspNetCore.Http.HttpResults;
using OrleansSocial.Api.Operators;
using OrleansSocial.ReadModels.Operations;

namespace OrleansSocial.Api.Apis;

/// <summary>Operator route: the product at a glance, from figures the grains and silos keep current (never a scan of tenant databases).</summary>
public static class AdminOverviewApi
{
    public static RouteGroupBuilder MapAdminOverviewApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/admin/overview")
            .WithTags("Operator: overview")
            .RequireAuthorization(OperatorAuthenticationHandler.PolicyName);
        group.MapGet("/", ReadOverview)
            .WithSummary("Tenants, channels, syncs, publishing, webhook deliveries, Graph budgets, failed authentications and database servers at a glance")
            .WithDescription("Cluster-wide: each silo publishes its last day of figures every few seconds (Operations:PublishInterval), the answering silo adds its own as they are now. Channels, publications waiting and webhook endpoints are counted from rows their grains keep in the catalog.");
        return group;
    }

    public static async Task<Ok<OverviewView>> ReadOverview(OperatorOverview overview, CancellationToken cancellationToken) =>
        TypedResults.Ok(await overview.ReadAsync(cancellationToken));
}
