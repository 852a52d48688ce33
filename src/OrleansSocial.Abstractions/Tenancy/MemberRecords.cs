namespace OrleansSocial.Tenancy;

[GenerateSerializer, Immutable, Alias("OrleansSocial.KeyView")]
public sealed record KeyView(
    [property: Id(0)] string KeyId,
    [property: Id(1)] DateTimeOffset CreatedAt);

[GenerateSerializer, Immutable, Alias("OrleansSocial.MemberView")]
public sealed record MemberView(
    [property: Id(0)] string MemberId,
    [property: Id(1)] string Email,
    [property: Id(2)] string Role,
    [property: Id(3)] IReadOnlyList<string> Permissions,
    [property: Id(4)] IReadOnlyList<string> EffectivePermissions,
    [property: Id(5)] IReadOnlyList<KeyView> Keys,
    [property: Id(6)] DateTimeOffset CreatedAt);

[GenerateSerializer, Immutable, Alias("OrleansSocial.NewMember")]
public sealed record NewMember(
    [property: Id(0)] string Email,
    [property: Id(1)] string Role,
    [property: Id(2)] IReadOnlyList<string> Permissions);

[GenerateSerializer, Immutable, Alias("OrleansSocial.MemberChange")]
public sealed record MemberChange(
    [property: Id(0)] string? Role,
    [property: Id(1)] IReadOnlyList<string>? Permissions);

/// <summary>The only moment a key is visible: returned once at creation, stored as a hash.</summary>
[GenerateSerializer, Immutable, Alias("OrleansSocial.CreatedKey")]
public sealed record CreatedKey(
    [property: Id(0)] string KeyId,
    [property: Id(1)] string ApiKey);

[GenerateSerializer, Immutable, Alias("OrleansSocial.CreatedMember")]
public sealed record CreatedMember(
    [property: Id(0)] string MemberId,
    [property: Id(1)] CreatedKey Key);

[GenerateSerializer, Immutable, Alias("OrleansSocial.MemberPage")]
public sealed record MemberPage(
    [property: Id(0)] IReadOnlyList<MemberView> Items,
    [property: Id(1)] string? NextCursor);

[GenerateSerializer, Immutable, Alias("OrleansSocial.AuditEntry")]
public sealed record AuditEntry(
    [property: Id(0)] string Id,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string Actor,
    [property: Id(3)] string Action,
    [property: Id(4)] string Target,
    [property: Id(5)] string Outcome,
    [property: Id(6)] string? Detail);

[GenerateSerializer, Immutable, Alias("OrleansSocial.AuditPage")]
public sealed record AuditPage(
    [property: Id(0)] IReadOnlyList<AuditEntry> Items,
    [property: Id(1)] string? NextCursor);
