using OrleansSocial.Storage.Documents;

namespace OrleansSocial.ReadModels.Operations;

/// <summary>
/// One row of the board. <see cref="At"/> is the time the row is ordered by: a channel's last good
/// daily sync (or its connection), the oldest waiting delivery of an endpoint, a publication's due time.
/// </summary>
public sealed record BoardRow(string Kind, string TenantId, string EntityId, string Status, DateTimeOffset? At = null, DateTimeOffset? ExpiresAt = null, long Waiting = 0)
{
    public const string ChannelKind = "channel";
    public const string EndpointKind = "endpoint";
    public const string PublicationKind = "publication";

    /// <summary>A publication's row: due (<see cref="At"/>) and not settled yet, whether or not its delivery has started (older rows say scheduled or publishing; nothing reads it).</summary>
    public const string PublicationWaiting = "waiting";

    public static readonly IndexDefinition ByStatus = new("board_status", [new IndexField("kind", FieldKind.String), new IndexField("status", FieldKind.String)]);
    public static readonly IndexDefinition ByAt = new("board_at", [new IndexField("kind", FieldKind.String), new IndexField("at", FieldKind.String)]);
    public static readonly IndexDefinition ByExpiry = new("board_expiry", [new IndexField("kind", FieldKind.String), new IndexField("expiresAt", FieldKind.String)]);
    public static readonly IndexDefinition ByWaiting = new("board_waiting", [new IndexField("kind", FieldKind.String), new IndexField("waiting", FieldKind.Number)]);
    public static readonly IndexDefinition ByTenant = new("board_tenant", [new IndexField("tenantId", FieldKind.String)]);

    public static IEnumerable<IndexDefinition> Indexes => [ByStatus, ByAt, ByExpiry, ByWaiting, ByTenant];

    [System.Text.Json.Serialization.JsonIgnore]
    public string Id => IdOf(Kind, TenantId, EntityId);

    public static string IdOf(string kind, string tenantId, string entityId) => $"{kind}:{tenantId}/{entityId}";
}
