using OrleansSocial.Storage.Documents;
using OrleansSocial.Tenancy;

using OrleansSocial.ReadModels;
using OrleansSocial.ReadModels.Sync;
using OrleansSocial.ReadModels.Catalog;

namespace OrleansSocial.Grains.Tenancy;

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

/// <summary>The tenant's own settings; <c>FourEyes</c>: an author may not approve their own post.</summary>
internal sealed record SettingsDocument(string TimeZone, bool RequireApproval, bool FourEyes = false, double? AnomalyThreshold = null, double? AnomalyMinimumChange = null)
{
    public double Threshold => AnomalyThreshold ?? AnomalySettings.DefaultThreshold;

    public double MinimumChange => AnomalyMinimumChange ?? AnomalySettings.DefaultMinimumChange;
}

internal sealed record AuditDocument(string At, string Actor, string Action, string Target, string Outcome, string? Detail);

/// <summary>The tenant database's own documents (members, settings, audit): ids and indexes.</summary>
internal static class TenantDocuments
{
    public const string SettingsId = "tenant";

    /// <summary>
    /// Every index of a tenant database, created when the tenant is provisioned. Members need none
    /// beyond their id: the grain holds them all and answers "is this email taken" from memory.
    /// </summary>
    public static readonly IReadOnlyList<(string Collection, IndexDefinition Index)> TenantIndexes =
    [
        (Collections.Audit, ReadModels.Lists.AuditQuery.ByTime),
        .. ReadIndexes.Tenant,
    ];

    /// <summary>Fixed-width UTC timestamps sort as text in every engine.</summary>
    public static string Timestamp(DateTimeOffset at) => StoredTime.Of(at);
}

/// <summary>What every tenant's data starts with, for a store that makes it in one go (the schema tier).</summary>
public static class TenantSchema
{
    /// <summary>The indexes provisioning asks for, by collection (a store may make them with their tables instead).</summary>
    public static IReadOnlyList<(string Collection, IndexDefinition Index)> Indexes => TenantDocuments.TenantIndexes;

    /// <summary>The collections provisioning writes (its settings, owner and audit).</summary>
    public static IReadOnlyList<string> Collections { get; } = [ReadModels.Collections.Settings, ReadModels.Collections.Members, ReadModels.Collections.Audit];
}
