using Microsoft.Extensions.Logging;
using OrleansSocial.ReadModels;
using OrleansSocial.ReadModels.Operations;
using OrleansSocial.Storage.Documents;

namespace OrleansSocial.Grains.Operations;

/// <summary>
/// What an operator counts, kept current by the grains that own it: a row per channel (its status,
/// token expiry, last good daily sync), per webhook endpoint (disabled, deliveries waiting) and per
/// publication waiting for its time, in the catalog's <c>operator_board</c>. The overview counts
/// rows by index; it never opens a tenant database. A row holds no tenant data beyond ids and
/// states, and goes with its tenant.
/// </summary>
public sealed partial class OperatorBoard(IDocumentStore store, ILogger<OperatorBoard> logger)
{
    private IDocumentCollection Rows => store.Catalog.GetCollection(Collections.OperatorBoard);

    /// <summary>
    /// Writes the row unless it is what this activation last wrote. Never fails its caller: a row
    /// that could not be written is written at the owner's next change or activation.
    /// </summary>
    public async Task<BoardRow?> KeepAsync(BoardRow? written, BoardRow row)
    {
        if (row == written)
        {
            return written;
        }

        try
        {
            await Rows.UpsertAsync(row.Id, DocumentJson.ToJson(row), CancellationToken.None);
            return row;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogNotKept(logger, exception, row.TenantId, row.Kind, row.EntityId);
            return written;
        }
    }

    /// <summary>Removes the row of something that went (or no longer waits); failures as in <see cref="KeepAsync"/>.</summary>
    public async Task RemoveAsync(string kind, string tenantId, string entityId)
    {
        try
        {
            await Rows.DeleteAsync(BoardRow.IdOf(kind, tenantId, entityId), CancellationToken.None);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogNotKept(logger, exception, tenantId, kind, entityId);
        }
    }

    /// <summary>Every row of a deleted tenant.</summary>
    public static Task<long> RemoveTenantAsync(IDocumentStore store, string tenantId, CancellationToken cancellationToken) =>
        store.Catalog.GetCollection(Collections.OperatorBoard).DeleteManyAsync([FieldFilter.Eq("tenantId", tenantId)], cancellationToken);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "The operator board's {Kind} row {EntityId} of tenant {TenantId} was not written; its next change writes it")]
    private static partial void LogNotKept(ILogger logger, Exception exception, string tenantId, string kind, string entityId);
}
