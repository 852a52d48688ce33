using OrleansSocial.ReadModels;
using OrleansSocial.ReadModels.Catalog;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Tenancy;

namespace OrleansSocial.Host.Recovery;

/// <summary>
/// At start, finds catalog entries a killed process left at <c>provisioning</c> and wakes their
/// tenant grains: a grain that activates on such an entry rolls it back (database dropped, entry
/// removed), so the id answers 404 and can be provisioned again. The next request for the id
/// does the same on its own; this only makes it happen without one.
/// </summary>
internal sealed partial class UnfinishedProvisioningRecovery(
    IDocumentStore store, IGrainFactory grains, IHostApplicationLifetime lifetime, ILogger<UnfinishedProvisioningRecovery> logger) : AfterStartRecovery(lifetime)
{
    protected override async Task RecoverAsync(CancellationToken cancellationToken)
    {
        var unfinished = new List<string>();
        await foreach (var entry in store.Catalog.GetCollection(Collections.Tenants).QueryAllAsync([FieldFilter.Eq(CatalogEntry.StateField, CatalogEntry.Provisioning)], cancellationToken))
        {
            unfinished.Add(entry.Id);
        }

        foreach (var tenantId in unfinished)
        {
            LogRecovering(logger, tenantId);
            await grains.GetGrain<ITenantGrain>(tenantId).Get();
        }
    }

    // Not fatal: the next request for such an id recovers it.
    protected override void Failed(Exception exception) => LogFailed(logger, exception);

    [LoggerMessage(EventId = 130, Level = LogLevel.Warning, Message = "Tenant {TenantId} was left provisioning by a process that stopped mid-way: rolling it back")]
    private static partial void LogRecovering(ILogger logger, string tenantId);

    [LoggerMessage(EventId = 131, Level = LogLevel.Warning, Message = "Looking for unfinished provisionings at start failed; each is still recovered at its next request")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
