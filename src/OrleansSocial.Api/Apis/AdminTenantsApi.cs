using OrleansSocial.ReadModels;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OrleansSocial.Api.Operators;
using OrleansSocial.Tenancy;

namespace OrleansSocial.Api.Apis;

/// <summary>Operator routes: provisioning, plans and limits, suspension and deletion of tenants.</summary>
public static partial class AdminTenantsApi
{
    public const string ConfirmDeleteHeader = "x-confirm-delete";

    public sealed record CreateTenantRequest
    {
        public string? Id { get; init; }

        public required string Name { get; init; }

        public string? Plan { get; init; }

        public required string OwnerEmail { get; init; }

        /// <summary><c>database</c> (a database of its own) or <c>schema</c> (a schema in a shared database); default: the plan's.</summary>
        public string? Isolation { get; init; }
    }

    public sealed record CreatedTenantResponse(string TenantId, string OwnerMemberId, string OwnerApiKey, string OwnerKeyId, string Database, string? Isolation = null);

    public sealed record TenantSummary(string TenantId, string Name, string Plan, TenantStatus Status, DateTimeOffset CreatedAt);

    public sealed record ChangeTenantRequest(string? Name, string? Plan, LimitsChange? Limits);

    /// <summary>Where the tenant goes: another server, another isolation, or both (at least one).</summary>
    public sealed record MoveTenantRequest
    {
        /// <summary>The configured name of the database server to move to (see GET /admin/servers); default: where it is.</summary>
        public string? Server { get; init; }

        /// <summary><c>database</c> or <c>schema</c>; default: the one it has.</summary>
        public string? Isolation { get; init; }
    }

    public sealed record SuspendRequest
    {
        public required string Reason { get; init; }
    }

    public static RouteGroupBuilder MapAdminTenantsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/admin/tenants")
            .WithTags("Operator: tenants")
            .RequireAuthorization(OperatorAuthenticationHandler.PolicyName);

        group.MapPost("/", CreateTenant).WithSummary("Provision a tenant: catalog entry, database, indexes and owner, all or nothing");
        group.MapGet("/", ListTenants).WithSummary("List tenants with status and plan");
        group.MapGet("/{id}", GetTenant).WithSummary("A tenant's record, usage and database");
        group.MapPatch("/{id}", ChangeTenant).WithSummary("Change name, plan or limits (limits: -1 lifts a count limit)");
        group.MapPost("/{id}/move", MoveTenant)
            .WithSummary("Move the tenant to another server and/or isolation (database of its own, schema in a shared database): read-only (writes 503 + Retry-After) while it is copied and verified, then switched; the old copy is dropped");
        group.MapPost("/{id}/suspend", SuspendTenant).WithSummary("Suspend: its API answers 403 and its reminders do no work");
        group.MapPost("/{id}/activate", ActivateTenant).WithSummary("Re-activate a suspended tenant");
        group.MapPost("/{id}/members/{memberId}/keys", RecoverMemberKey)
            .WithSummary("Recovery: a new key for a member who lost theirs (say, the only owner); shown once, audited as the operator");
        group.MapDelete("/{id}", DeleteTenant).WithSummary($"Drop the tenant's database and all its state; needs header {ConfirmDeleteHeader}: {{id}}");
        return group;
    }

    public static async Task<Created<CreatedTenantResponse>> CreateTenant(CreateTenantRequest request, IGrainFactory grains)
    {
        var id = request.Id ?? GenerateId(request.Name);
        RequireValidId(id, "id");
        var provisioned = await grains.GetGrain<ITenantGrain>(id).Provision(new ProvisionTenant(request.Name, request.Plan ?? Plans.Free, request.OwnerEmail, request.Isolation));
        var owner = provisioned.Owner;
        return TypedResults.Created($"/admin/tenants/{id}",
            new CreatedTenantResponse(id, owner.MemberId, owner.Key.ApiKey, owner.Key.KeyId, provisioned.Tenant.Database, provisioned.Tenant.Isolation));
    }

    public static async Task<Ok<Page<TenantSummary>>> ListTenants(TenantDirectory directory, int? limit, string? cursor) =>
        TypedResults.Ok(await directory.ListAsync(Paging.Limit(limit), cursor));

    public static async Task<Results<Ok<TenantView>, ProblemHttpResult>> GetTenant(string id, IGrainFactory grains, TenantReads reads,
        Microsoft.Extensions.Options.IOptions<IsolationOptions> isolations, CancellationToken cancellationToken)
    {
        RequireValidId(id, "id");
        if (await grains.GetGrain<ITenantGrain>(id).Get() is not { } tenant)
        {
            return TypedResults.Problem(title: "Not found", detail: $"Tenant '{id}' does not exist.", statusCode: StatusCodes.Status404NotFound);
        }

        return TypedResults.Ok(await WithPlacementAsync(tenant, reads, isolations.Value, cancellationToken));
    }

    /// <summary>
    /// The tenant with where its data is (the server's name only: its address and credentials stay in
    /// configuration) and, when its plan's default isolation differs from the one it has, that one as a
    /// proposed move: a plan change never moves a tenant behind the operator's back.
    /// </summary>
    private static async Task<TenantView> WithPlacementAsync(TenantView tenant, TenantReads reads, IsolationOptions isolations, CancellationToken cancellationToken)
    {
        var (server, movingTo, isolation) = await reads.PlacementAsync(tenant.Database, cancellationToken);
        var planDefault = isolations.DefaultFor(tenant.Plan, reads.Isolations);
        return tenant with { Server = server, MovingTo = movingTo, Isolation = isolation, ProposedIsolation = planDefault == isolation ? null : planDefault };
    }

    public static async Task<Ok<TenantMoved>> MoveTenant(string id, MoveTenantRequest request, IGrainFactory grains)
    {
        RequireValidId(id, "id");
        return TypedResults.Ok(await grains.GetGrain<ITenantPlacementGrain>(id).Move(request.Server, request.Isolation));
    }

    public static async Task<Ok<TenantView>> ChangeTenant(string id, ChangeTenantRequest request, IGrainFactory grains, TenantReads reads,
        Microsoft.Extensions.Options.IOptions<IsolationOptions> isolations, CancellationToken cancellationToken)
    {
        RequireValidId(id, "id");
        var changed = await grains.GetGrain<ITenantGrain>(id).Change(Actor.Operator, new TenantChange(request.Name, request.Plan, request.Limits));
        return TypedResults.Ok(await WithPlacementAsync(changed, reads, isolations.Value, cancellationToken));
    }

    public static async Task<Ok<TenantView>> SuspendTenant(string id, SuspendRequest request, IGrainFactory grains)
    {
        RequireValidId(id, "id");
        return TypedResults.Ok(await grains.GetGrain<ITenantGrain>(id).Suspend(Actor.Operator, request.Reason));
    }

    public static async Task<Ok<TenantView>> ActivateTenant(string id, IGrainFactory grains)
    {
        RequireValidId(id, "id");
        return TypedResults.Ok(await grains.GetGrain<ITenantGrain>(id).Activate(Actor.Operator));
    }

    public static async Task<Created<CreatedKey>> RecoverMemberKey(string id, string memberId, IGrainFactory grains)
    {
        RequireValidId(id, "id");
        var key = await grains.GetGrain<ITenantGrain>(id).CreateKey(Actor.Operator, memberId);
        return TypedResults.Created($"/api/members/{memberId}/keys/{key.KeyId}", key);
    }

    public static async Task<Accepted> DeleteTenant(string id, [FromHeader(Name = ConfirmDeleteHeader)] string? confirm, IGrainFactory grains)
    {
        RequireValidId(id, "id");
        if (confirm != id)
        {
            throw DomainException.Invalid(ConfirmDeleteHeader, $"Deleting a tenant needs the header '{ConfirmDeleteHeader}: {id}'.");
        }

        await grains.GetGrain<ITenantGrain>(id).Delete(Actor.Operator);
        return TypedResults.Accepted((string?)null);
    }

    private static void RequireValidId(string id, string field)
    {
        if (!TenantReads.IsTenantId(id))
        {
            throw DomainException.Invalid(field, $"{field}: a tenant id is 3-40 characters of a-z, 0-9 and '-', starting with a letter or digit.");
        }
    }

    /// <summary>"Acme Co." becomes "acme-co-3f9a1c": a readable slug plus randomness, always a valid id.</summary>
    private static string GenerateId(string? name)
    {
        var slug = NonSlug().Replace((name ?? "").ToLowerInvariant(), "-").Trim('-');
        slug = slug.Length > 30 ? slug[..30].Trim('-') : slug;
        var suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        return slug.Length == 0 ? "t-" + suffix : $"{slug}-{suffix}";
    }

    [GeneratedRegex("[^a-z0-9]+", RegexOptions.CultureInvariant)]
    private static partial Regex NonSlug();
}
