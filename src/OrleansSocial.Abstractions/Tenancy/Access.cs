namespace OrleansSocial.Tenancy;

[GenerateSerializer, Alias("OrleansSocial.AccessOutcome")]
public enum AccessOutcome
{
    Allowed,
    UnknownTenant,
    InvalidKey,
    Suspended,
    MissingPermission,
}

/// <summary>The tenant grain's answer to "may this key do this on this tenant". Deny unless Allowed.</summary>
[GenerateSerializer, Immutable, Alias("OrleansSocial.AccessDecision")]
public sealed record AccessDecision(
    [property: Id(0)] AccessOutcome Outcome,
    [property: Id(1)] string? MemberId,
    [property: Id(2)] string? Plan,
    [property: Id(3)] TenantLimits? Limits,
    [property: Id(4)] string? MissingPermission,
    [property: Id(5)] IReadOnlyList<string>? Permissions = null,
    [property: Id(6)] TenantView? View = null)
{
    public static AccessDecision Deny(AccessOutcome outcome, string? missingPermission = null) => new(outcome, null, null, null, missingPermission);
}
