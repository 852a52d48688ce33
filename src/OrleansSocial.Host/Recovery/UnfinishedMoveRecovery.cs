using OrleansSocial.Storage.Naming;
using OrleansSocial.Storage.Placement;
using OrleansSocial.Tenancy;

namespace OrleansSocial.Host.Recovery;

/// <summary>
/// At start, finds moves a killed process left half-done and has each tenant's placement grain
/// settle it (undone before the switch, finished after), so no tenant stays read-only or keeps a
/// second copy. Through the grain, never directly: a move still running on another silo holds
/// that grain, and recovery waits for it rather than undoing it underneath.
/// </summary>
internal sealed partial class UnfinishedMoveRecovery(
    PlacedDocumentStore store, IGrainFactory grains, IHostApplicationLifetime lifetime, ILogger<UnfinishedMoveRecovery> logger) : AfterStartRecovery(lifetime)
{
    protected override async Task RecoverAsync(CancellationToken cancellationToken)
    {
        var tenants = new List<string>();
        await foreach (var placement in store.UnfinishedMovesAsync(cancellationToken))
        {
            if (StorageNames.TenantIdOf(placement.Database) is { } tenantId)
            {
                tenants.Add(tenantId);
            }
        }

        foreach (var tenantId in tenants)
        {
            await grains.GetGrain<ITenantPlacementGrain>(tenantId).Recover();
        }
    }

    // Not fatal: the next move of such a tenant settles it first.
    protected override void Failed(Exception exception) => LogFailed(logger, exception);

    [LoggerMessage(EventId = 132, Level = LogLevel.Warning, Message = "Settling unfinished tenant moves at start failed; each is settled before the tenant's next move, or at the next start")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
