namespace OrleansSocial.Tenancy;

[GenerateSerializer, Alias("OrleansSocial.TenantStatus")]
public enum TenantStatus
{
    Active,
    Suspended,
}

/// <summary>Who acts: the operator, or a member of the tenant (authorised by the tenant grain itself).</summary>
[GenerateSerializer, Immutable, Alias("OrleansSocial.Actor")]
public sealed record Actor([property: Id(0)] string? MemberId)
{
    public static readonly Actor Operator = new((string?)null);

    /// <summary>The platform itself acting for the tenant: the sync engine marking a channel, say.</summary>
    public static readonly Actor System = new("system");

    public bool IsOperator => MemberId is null;

    public override string ToString() => MemberId ?? "operator";
}

[GenerateSerializer, Immutable, Alias("OrleansSocial.TenantUsage")]
public sealed record TenantUsage(
    [property: Id(0)] int Members,
    [property: Id(1)] int Channels,
    [property: Id(2)] int ScheduledPostsThisMonth);

[GenerateSerializer, Immutable, Alias("OrleansSocial.TenantView")]
public sealed record TenantView(
    [property: Id(0)] string TenantId,
    [property: Id(1)] string Name,
    [property: Id(2)] string Plan,
    [property: Id(3)] TenantLimits Limits,
    [property: Id(4)] TenantStatus Status,
    [property: Id(5)] string? SuspendedReason,
    [property: Id(6)] string Database,
    [property: Id(7)] string Engine,
    [property: Id(8)] DateTimeOffset CreatedAt,
    [property: Id(9)] string TimeZone,
    [property: Id(10)] bool RequireApproval,
    [property: Id(11)] TenantUsage Usage,
    [property: Id(12)] bool FourEyes = false,
    [property: Id(13)] string? Server = null,
    [property: Id(14)] string? MovingTo = null,
    [property: Id(15)] string? Isolation = null,
    [property: Id(16)] string? ProposedIsolation = null,
    [property: Id(17)] double AnomalyThreshold = AnomalySettings.DefaultThreshold,
    [property: Id(18)] double AnomalyMinimumChange = AnomalySettings.DefaultMinimumChange);

[GenerateSerializer, Immutable, Alias("OrleansSocial.TenantStanding")]
public sealed record TenantStanding(
    [property: Id(0)] TenantStatus Status,
    [property: Id(1)] string TimeZone,
    [property: Id(2)] TenantLimits Limits,
    [property: Id(3)] bool RequireApproval = false,
    [property: Id(4)] bool FourEyes = false,
    [property: Id(5)] double AnomalyThreshold = AnomalySettings.DefaultThreshold,
    [property: Id(6)] double AnomalyMinimumChange = AnomalySettings.DefaultMinimumChange);

/// <summary>
/// How far outside its own baseline a channel's day must be to raise <c>insight.anomaly</c>: more than
/// <c>anomalyThreshold</c> robust standard deviations, and a change of at least <c>anomalyMinimumChange</c>
/// (a share of the expected value).
/// </summary>
public static class AnomalySettings
{
    public const double DefaultThreshold = 4.0;
    public const double DefaultMinimumChange = 0.3;
    public const double MinThreshold = 1.0;
    public const double MaxThreshold = 20.0;
    public const double MaxMinimumChange = 10.0;
}

[GenerateSerializer, Immutable, Alias("OrleansSocial.ProvisionTenant")]
public sealed record ProvisionTenant(
    [property: Id(0)] string Name,
    [property: Id(1)] string Plan,
    [property: Id(2)] string OwnerEmail,
    [property: Id(3)] string? Isolation = null);

[GenerateSerializer, Immutable, Alias("OrleansSocial.ProvisionedTenant")]
public sealed record ProvisionedTenant(
    [property: Id(0)] TenantView Tenant,
    [property: Id(1)] CreatedMember Owner);

/// <summary>An operator's change; null fields stay as they are. A plan change resets limits to the plan's, then applies <c>Limits</c>.</summary>
[GenerateSerializer, Immutable, Alias("OrleansSocial.TenantChange")]
public sealed record TenantChange(
    [property: Id(0)] string? Name,
    [property: Id(1)] string? Plan,
    [property: Id(2)] LimitsChange? Limits);

/// <summary>Limits to override; null keeps a limit, <see cref="Unlimited"/> lifts a count limit.</summary>
[GenerateSerializer, Immutable, Alias("OrleansSocial.LimitsChange")]
public sealed record LimitsChange(
    [property: Id(0)] int? Members,
    [property: Id(1)] int? Channels,
    [property: Id(2)] int? ScheduledPostsPerMonth,
    [property: Id(3)] int? ManualSyncsPerChannelPerHour,
    [property: Id(4)] int? ApiRequestsPerMinute,
    [property: Id(5)] int? DraftPosts = null)
{
    public const int Unlimited = -1;
}

/// <summary>A member's change of the tenant's settings; null fields stay as they are.</summary>
[GenerateSerializer, Immutable, Alias("OrleansSocial.SettingsChange")]
public sealed record SettingsChange(
    [property: Id(0)] string? Name,
    [property: Id(1)] string? TimeZone,
    [property: Id(2)] bool? RequireApproval,
    [property: Id(3)] bool? FourEyes = null,
    [property: Id(4)] double? AnomalyThreshold = null,
    [property: Id(5)] double? AnomalyMinimumChange = null);
