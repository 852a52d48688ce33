namespace OrleansSocial.Tenancy;

/// <summary>A tenant's limits; null means unlimited.</summary>
[GenerateSerializer, Immutable, Alias("OrleansSocial.TenantLimits")]
public sealed record TenantLimits(
    [property: Id(0)] int? Members,
    [property: Id(1)] int? Channels,
    [property: Id(2)] int? ScheduledPostsPerMonth,
    [property: Id(3)] int ManualSyncsPerChannelPerHour,
    [property: Id(4)] int ApiRequestsPerMinute,
    [property: Id(5)] int? DraftPosts = Plans.LegacyDraftPosts);

/// <summary>The plans of the REST contract and their default limits.</summary>
public static class Plans
{
    public const string Free = "free";
    public const string Starter = "starter";
    public const string Pro = "pro";
    public const string Enterprise = "enterprise";

    private static readonly Dictionary<string, TenantLimits> Defaults = new(StringComparer.Ordinal)
    {
        [Free] = new(Members: 3, Channels: 2, ScheduledPostsPerMonth: 30, ManualSyncsPerChannelPerHour: 2, ApiRequestsPerMinute: 60, DraftPosts: 100),
        [Starter] = new(Members: 10, Channels: 10, ScheduledPostsPerMonth: 300, ManualSyncsPerChannelPerHour: 4, ApiRequestsPerMinute: 300, DraftPosts: 1_000),
        [Pro] = new(Members: 50, Channels: 50, ScheduledPostsPerMonth: 3_000, ManualSyncsPerChannelPerHour: 12, ApiRequestsPerMinute: 1_200, DraftPosts: 10_000),
        [Enterprise] = new(Members: null, Channels: null, ScheduledPostsPerMonth: 100_000, ManualSyncsPerChannelPerHour: 60, ApiRequestsPerMinute: 6_000, DraftPosts: 100_000),
    };

    /// <summary>Drafts a tenant stored before the limit existed may keep: the most any plan allows (its record has no figure of its own).</summary>
    public const int LegacyDraftPosts = 100_000;

    public static IReadOnlyCollection<string> All => Defaults.Keys;

    public static bool IsKnown(string plan) => Defaults.ContainsKey(plan);

    public static TenantLimits LimitsOf(string plan) => Defaults[plan];
}
