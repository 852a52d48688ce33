using OrleansSocial.Tenancy;

namespace OrleansSocial.ReadModels.Catalog;

/// <summary>The catalog's record of a tenant: where its data lives, its plan, limits and status. Written by the tenant grain.</summary>
public sealed record CatalogEntry(
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
    /// <summary>Written first when a tenant is created; a process that dies before <see cref="Ready"/> leaves it for recovery.</summary>
    public const string Provisioning = "provisioning";

    public const string Ready = "ready";

    /// <summary>The stored name of <see cref="State"/>, which recovery and the tenant list filter on.</summary>
    public const string StateField = "state";
}
