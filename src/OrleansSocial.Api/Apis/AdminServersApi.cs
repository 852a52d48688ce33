using Microsoft.AspNetCore.Http.HttpResults;
using OrleansSocial.Api.Operators;
using OrleansSocial.ReadModels;

namespace OrleansSocial.Api.Apis;

/// <summary>Operator route: the database servers tenants are placed on, by name and weight (never an address or credential).</summary>
public static class AdminServersApi
{
    /// <param name="Name">The name placements and moves use.</param>
    /// <param name="Engine">postgres, mongo or sqlite.</param>
    /// <param name="Weight">Its share of new tenants, relative to the others; 0 takes none.</param>
    /// <param name="Tenants">Tenant databases placed on it.</param>
    /// <param name="Catalog">Whether it holds the catalog.</param>
    /// <param name="Healthy">Whether it answered a ping just now (within 3 s).</param>
    /// <param name="Problem">Why not, when it did not; never an address or credential.</param>
    public sealed record ServerView(string Name, string Engine, int Weight, long Tenants, bool Catalog, bool Healthy, string? Problem);

    public static RouteGroupBuilder MapAdminServersApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/admin/servers")
            .WithTags("Operator: database servers")
            .RequireAuthorization(OperatorAuthenticationHandler.PolicyName);
        group.MapGet("/", ListServers).WithSummary("The database servers, their weights, how many tenants each holds, and whether each answers now");
        return group;
    }

    /// <summary>Every configured server on one page (a deployment has a handful), in the shape of every other list.</summary>
    public static async Task<Ok<Page<ServerView>>> ListServers(TenantReads reads, CancellationToken cancellationToken) =>
        TypedResults.Ok(new Page<ServerView>([.. (await reads.ServersAsync(cancellationToken)).Select(s => new ServerView(s.Name, s.Engine, s.Weight, s.Tenants, s.Catalog, s.Healthy, s.Problem))], null));
}
