using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Tenancy;

namespace OrleansSocial.Grains.Tenancy;

/// <summary>The catalog's record of a tenant: where its data lives and its plan and status.</summary>
internal sealed record CatalogEntry(
    string TenantId,
    string Name,
    string Plan,
    TenantLimits Limits,
    TenantStatus Status,
    string? SuspendedReason,
    string Database,
    string Engine,
    DateTimeOffset CreatedAt,
    string State)
{
    public const string Provisioning = "provisioning";
    public const string Ready = "ready";
}

/// <summary>A member as stored in the tenant's own database, key hashes included.</summary>
internal sealed record MemberDocument(
    string MemberId,
    string Email,
    string Role,
    IReadOnlyList<string> Permissions,
    IReadOnlyList<KeyDocument> Keys,
    DateTimeOffset CreatedAt)
{
    public MemberView ToView() => new(
        MemberId,
        Email,
        Role,
        Permissions,
        Roles.Effective(Role, Permissions).Order(StringComparer.Ordinal).ToList(),
        Keys.Select(k => new KeyView(k.KeyId, k.CreatedAt)).ToList(),
        CreatedAt);
}

internal static class MemberRepair
{
    /// <summary>What can be kept of a stored member: unknown or null permissions and broken keys dropped; null when nothing usable is left.</summary>
    public static MemberDocument? Repaired(this MemberDocument member)
    {
        if (member.MemberId is null || member.Role is null || !Roles.IsKnown(member.Role))
        {
            return null;
        }

        return member with
        {
            Email = member.Email ?? "",
            Permissions = (member.Permissions ?? []).Where(p => p is not null && OrleansSocial.Tenancy.Permissions.IsKnown(p)).ToList(),
            Keys = (member.Keys ?? []).Where(k => k is { KeyId: not null, Hash: not null }).ToList(),
        };
    }
}

internal sealed record KeyDocument(string KeyId, string Hash, DateTimeOffset CreatedAt);

internal sealed record SettingsDocument(string TimeZone, bool RequireApproval);

internal sealed record AuditDocument(string At, string Actor, string Action, string Target, string Outcome, string? Detail);

/// <summary>Collections and indexes of the catalog and of every tenant database, and their JSON form.</summary>
internal static class TenantDocuments
{
    public const string CatalogTenants = "tenants";
    public const string Members = "members";
    public const string Settings = "settings";
    public const string Audit = "audit";
    public const string SettingsId = "tenant";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>Every index of a tenant database, created when the tenant is provisioned.</summary>
    public static readonly IReadOnlyList<(string Collection, IndexDefinition Index)> TenantIndexes =
    [
        (Members, new IndexDefinition("email", [new IndexField("email", FieldKind.String)])),
        (Audit, new IndexDefinition("at", [new IndexField("at", FieldKind.String, Descending: true)])),
        .. Channels.Sync.SyncCollections.Indexes,
    ];

    public static JsonElement ToJson<T>(T value) => JsonSerializer.SerializeToElement(value, Json);

    public static T FromJson<T>(JsonElement element) => element.Deserialize<T>(Json)!;

    /// <summary>A stored document, or null when it no longer reads as <typeparamref name="T"/> (damaged, or from a wrong version).</summary>
    public static T? TryRead<T>(JsonElement element) where T : class
    {
        try
        {
            return element.Deserialize<T>(Json);
        }
        catch (Exception exception) when (exception is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Fixed-width UTC timestamps sort as text in every engine.</summary>
    public static string Timestamp(DateTimeOffset at) => StoredTime.Of(at);
}
