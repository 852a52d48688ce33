using System.Globalization;
using Microsoft.Extensions.Logging;
using OrleansSocial.ReadModels;
using OrleansSocial.ReadModels.Catalog;
using OrleansSocial.Storage.Naming;
using OrleansSocial.Storage.Placement;
using OrleansSocial.Tenancy;

namespace OrleansSocial.Grains.Placement;

/// <summary>
/// Moves a tenant's database between servers (<see cref="DatabaseMove"/>), one move per tenant
/// at a time. The tenant grain is not involved: requests keep reading while the copy runs, and
/// writes are refused by the database itself (503 + Retry-After at the front) until the switch.
/// </summary>
public sealed partial class TenantPlacementGrain(PlacedDocumentStore store, TimeProvider time, ILogger<TenantPlacementGrain> logger)
    : Grain, ITenantPlacementGrain
{
    private string TenantId => this.GetPrimaryKeyString();

    private string Database => StorageNames.TenantDatabase(TenantId);

    public async Task<TenantMoved> Move(string? server, string? isolation)
    {
        if (!StorageNames.TenantIdPattern().IsMatch(TenantId)
            || await store.Catalog.GetCollection(Collections.Tenants).GetAsync(TenantId, CancellationToken.None) is not { } stored
            || DocumentJson.TryRead<CatalogEntry>(stored) is not { State: CatalogEntry.Ready })
        {
            throw DomainException.NotFound("tenant", $"Tenant '{TenantId}' does not exist.");
        }

        if (server is null && isolation is null)
        {
            throw DomainException.Invalid("server", "server or isolation: name where the tenant goes (a server, an isolation, or both).");
        }

        if (server is not null && !store.HasServer(server))
        {
            throw DomainException.Invalid("server", $"server: no database server is configured under the name '{server}' (configured: {string.Join(", ", store.Servers.Select(s => s.Name))}).");
        }

        if (isolation is not null && !store.Isolations.Contains(isolation))
        {
            throw DomainException.Invalid("isolation", $"isolation must be one of: {string.Join(", ", store.Isolations)} (what the {store.Engine} tenant store offers).");
        }

        var current = (await store.LocateAsync(Database, CancellationToken.None)).Location;
        var target = new DatabaseLocation(server ?? current.Server, isolation ?? current.Isolation);
        MoveOutcome outcome;
        try
        {
            outcome = await new DatabaseMove(store, Collections.InTenantDatabase, time).RunAsync(Database, target, step =>
            {
                LogStep(logger, TenantId, step);
                return Task.CompletedTask;
            }, CancellationToken.None);
        }
        catch (MoveRefusedException refused)
        {
            throw new DomainException(ProblemKind.Conflict, refused.Message);
        }
        catch (MoveVerificationException mismatch)
        {
            throw new DomainException(ProblemKind.StepFailed, mismatch.Message, "verify");
        }
        catch (MoveTargetUnusableException unusable)
        {
            LogMoveFailed(logger, unusable, TenantId, target.ToString());
            throw new DomainException(ProblemKind.StepFailed, unusable.Message, "target");
        }

        LogMoved(logger, TenantId, outcome.From.ToString(), outcome.To.ToString(), outcome.Documents, outcome.ReadOnlyFor.TotalSeconds);
        await AuditAsync(outcome);
        return new TenantMoved(TenantId, outcome.From.Server, outcome.To.Server, outcome.Documents, Math.Round(outcome.ReadOnlyFor.TotalSeconds, 3),
            outcome.From.Isolation, outcome.To.Isolation);
    }

    public async Task Recover()
    {
        var placement = await store.LocateAsync(Database, CancellationToken.None);
        if (placement.Moving)
        {
            LogRecovering(logger, TenantId, placement.MovePhase!, placement.Server);
            await new DatabaseMove(store, Collections.InTenantDatabase, time).RecoverAsync(placement, CancellationToken.None);
        }
    }

    private Task AuditAsync(MoveOutcome outcome) =>
        new Tenancy.AuditLog(store.GetDatabase(Database).GetCollection(Collections.Audit), time).WriteAsync(
            Actor.Operator, "tenant.moved", TenantId, Tenancy.AuditLog.Success,
            $"from {outcome.From} to {outcome.To}, {outcome.Documents.ToString(CultureInfo.InvariantCulture)} documents");

    [LoggerMessage(EventId = 1400, Level = LogLevel.Information, Message = "Tenant {TenantId} move: {Step}")]
    private static partial void LogStep(ILogger logger, string tenantId, MoveStep step);

    [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "Tenant {TenantId} moved from {From} to {To}: {Documents} documents, read-only for {Seconds:F1} s")]
    private static partial void LogMoved(ILogger logger, string tenantId, string from, string to, long documents, double seconds);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Warning, Message = "Tenant {TenantId} move to {Target} failed and was undone; the tenant is writable where it was")]
    private static partial void LogMoveFailed(ILogger logger, Exception exception, string tenantId, string target);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Warning, Message = "Tenant {TenantId} was left mid-move ({Phase}, authoritative on {Server}) by a process that stopped: settling it")]
    private static partial void LogRecovering(ILogger logger, string tenantId, string phase, string server);
}
