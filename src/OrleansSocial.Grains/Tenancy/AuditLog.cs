using System.Globalization;
using System.Security.Cryptography;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Tenancy;

using OrleansSocial.ReadModels;
using OrleansSocial.ReadModels.Sync;
using OrleansSocial.ReadModels.Catalog;

namespace OrleansSocial.Grains.Tenancy;

/// <summary>Who did what and when, in the tenant's own database, newest first.</summary>
internal sealed class AuditLog(IDocumentCollection audit, TimeProvider time)
{
    public const string Success = "success";
    public const string Denied = "denied";

    private static readonly SortField NewestFirst = new("at", FieldKind.String, Descending: true);

    public async Task WriteAsync(Actor actor, string action, string target, string outcome, string? detail = null)
    {
        var (id, document) = Entry(actor, action, target, outcome, detail);
        try
        {
            await audit.InsertAsync(id, document, CancellationToken.None);
        }
        catch (TenantMovingException moving)
        {
            // The change this records is already done (an audit entry follows its change): the
            // request succeeded, and its record follows the database to its new server.
            _ = Task.Run(() => WriteAfterMoveAsync(id, document, moving.RetryAfter));
        }
    }

    /// <summary>An entry for a database made with it (<see cref="FirstDocument"/>): the same entry <see cref="WriteAsync"/> writes.</summary>
    public FirstDocument First(Actor actor, string action, string target, string outcome, string? detail = null)
    {
        var (id, document) = Entry(actor, action, target, outcome, detail);
        return new FirstDocument(audit.Name, id, document);
    }

    private (string Id, System.Text.Json.JsonElement Document) Entry(Actor actor, string action, string target, string outcome, string? detail)
    {
        var at = TenantDocuments.Timestamp(time.GetUtcNow());
        var id = $"{at}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        return (id, DocumentJson.ToJson(new AuditDocument(at, actor.ToString(), action, target, outcome, detail)));
    }

    /// <summary>Outside the grain's turn: the tenant keeps answering while the move finishes.</summary>
    private async Task WriteAfterMoveAsync(string id, System.Text.Json.JsonElement document, TimeSpan wait)
    {
        for (var attempt = 0; attempt < MoveAttempts; attempt++)
        {
            await Task.Delay(wait, time);
            try
            {
                await audit.InsertAsync(id, document, CancellationToken.None);
                return;
            }
            catch (TenantMovingException)
            {
            }
        }
    }

    /// <summary>With the store's 5-s retry interval, ten minutes of moving.</summary>
    private const int MoveAttempts = 120;

    public async Task<AuditPage> ReadAsync(string? cursor, int limit)
    {
        var (items, next) = await new ReadModels.Lists.AuditQuery(limit, cursor).RunAsync(audit, CancellationToken.None);
        return new AuditPage(items, next);
    }
}
