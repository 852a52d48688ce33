using System.Globalization;
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

    protected override AuditEntry? Read(StoredDocument document) =>
        DocumentJson.TryRead<Stored>(document.Body) is { At: not null, Actor: not null, Action: not null, Target: not null, Outcome: not null } entry
            && DateTimeOffset.TryParse(entry.At, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? new AuditEntry(document.Id, at, entry.Actor, entry.Action, entry.Target, entry.Outcome, entry.Detail)
            : null;
}

/// <summary>The operator's list of tenants whose provisioning finished, by id (a damaged entry is still listed, by id).</summary>
public sealed record TenantListQuery(int Limit, string? Cursor) : ListQuery<TenantListQuery.Summary>(Limit, Cursor)
{
    public sealed record Summary(string TenantId, string Name, string Plan, TenantStatus Status, DateTimeOffset CreatedAt);

    public static readonly IndexDefinition ByState = new(CatalogEntry.StateField, [new IndexField(CatalogEntry.StateField, FieldKind.String)]);

    public override string Collection => Collections.Tenants;

    public override IndexDefinition Index => ByState;

    public override DocumentQuery PageQuery => new() { Filters = [FieldFilter.Eq(CatalogEntry.StateField, CatalogEntry.Ready)], Limit = Limit, Cursor = Cursor };

    protected override Summary Read(StoredDocument document) =>
        DocumentJson.TryRead<CatalogEntry>(document.Body) is { } entry
            ? new Summary(document.Id, entry.Name ?? document.Id, entry.Plan ?? "unknown", entry.Status, entry.CreatedAt)
            : new Summary(document.Id, document.Id, "unknown", TenantStatus.Active, default);
}
