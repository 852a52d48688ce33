using System.Globalization;
using System.Text.Json;
using OrleansSocial.ReadModels.Catalog;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Tenancy;

namespace OrleansSocial.ReadModels.Lists;

/// <summary>The tenant's audit log, newest first.</summary>
public sealed record AuditQuery(int Limit, string? Cursor) : ListQuery<AuditEntry>(Limit, Cursor)
{
    public static readonly IndexDefinition ByTime = new("at", [new IndexField("at", FieldKind.String, Descending: true)]);

    private sealed record Stored(string At, string Actor, string Action, string Target, string Outcome, string? Detail);

    public override string Collection => Collections.Audit;

    public override IndexDefinition Index => ByTime;

    public override DocumentQuery PageQuery => new() { Sort = new SortField("at", FieldKind.String, Descending: true), Limit = Limit, Cursor = Cursor };

    public new Task<AuditPage> RunAsync(IDocumentDatabase database, CancellationToken cancellationToken) => RunAsync(database.GetCollection(Collection), cancellationToken);

    /// <summary>Over the audit collection itself (the audit log holds it, not the database).</summary>
    public async Task<AuditPage> RunAsync(IDocumentCollection audit, CancellationToken cancellationToken)
    {
        var page = await audit.QueryAsync(PageQuery, cancellationToken);
        return new AuditPage([.. page.Items.Select(d => Entry(d.Id, d.Body)).OfType<AuditEntry>()], page.NextCursor);
    }

    private static AuditEntry? Entry(string id, JsonElement body) =>
        DocumentJson.TryRead<Stored>(body) is { At: not null, Actor: not null, Action: not null, Target: not null, Outcome: not null } entry
            && DateTimeOffset.TryParse(entry.At, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? new AuditEntry(id, at, entry.Actor, entry.Action, entry.Target, entry.Outcome, entry.Detail)
            : null;
}

/// <summary>The operator's list of tenants whose provisioning finished, by id (a damaged entry is still listed, by id).</summary>
public sealed record TenantListQuery(int Limit, string? Cursor) : ListQuery<TenantListQuery.Summary>(Limit, Cursor)
{
    public sealed record Summary(string TenantId, string Name, string Plan, TenantStatus Status, DateTimeOffset CreatedAt);

    public static readonly IndexDefinition ByState = new("state", [new IndexField("state", FieldKind.String)]);

    public override string Collection => Collections.Tenants;

    public override IndexDefinition Index => ByState;

    public override DocumentQuery PageQuery => new() { Filters = [FieldFilter.Eq("state", CatalogEntry.Ready)], Limit = Limit, Cursor = Cursor };

    public new async Task<(IReadOnlyList<Summary> Items, string? NextCursor)> RunAsync(IDocumentDatabase catalog, CancellationToken cancellationToken)
    {
        var page = await catalog.GetCollection(Collection).QueryAsync(PageQuery, cancellationToken);
        return ([.. page.Items.Select(d => (d.Id, Entry: DocumentJson.TryRead<CatalogEntry>(d.Body)))
            .Select(e => new Summary(e.Id, e.Entry?.Name ?? e.Id, e.Entry?.Plan ?? "unknown", e.Entry?.Status ?? TenantStatus.Active, e.Entry?.CreatedAt ?? default))], page.NextCursor);
    }
}
