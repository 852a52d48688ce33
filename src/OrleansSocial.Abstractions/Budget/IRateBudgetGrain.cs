namespace OrleansSocial.Budget;

/// <summary>
/// Who is asking: when budget runs short, publishing goes first (a post someone scheduled), then
/// manual syncs, then scheduled ones, then backfill. Appended, not reordered: values are stored.
/// </summary>
[GenerateSerializer, Alias("OrleansSocial.BudgetPriority")]
public enum BudgetPriority
{
    Manual,
    Scheduled,
    Backfill,
    Publishing,

    /// <summary>A member's reply or moderation in the inbox: above manual syncs, below publishing.</summary>
    Conversation,
}

/// <summary>Granted, or not before <see cref="RetryAt"/>.</summary>
[GenerateSerializer, Immutable, Alias("OrleansSocial.BudgetDecision")]
public sealed record BudgetDecision(
    [property: Id(0)] bool Granted,
    [property: Id(1)] DateTimeOffset? RetryAt,
    [property: Id(2)] string? Reason)
{
    public static readonly BudgetDecision Grant = new(true, null, null);
}

/// <summary>What one Graph response said about this bucket: percent used (0-100+) and, when throttled, the regain time.</summary>
[GenerateSerializer, Immutable, Alias("OrleansSocial.BudgetReport")]
public sealed record BudgetReport(
    [property: Id(0)] double PercentUsed,
    [property: Id(1)] TimeSpan RegainAfter,
    [property: Id(2)] bool Throttled);

/// <summary>
/// The cluster-wide view of one Graph rate-limit bucket (key <c>app:{appId}</c>, <c>page:{id}</c>
/// or <c>ig:{id}</c>), shared by every channel of every tenant that spends it. Channels ask before
/// spending calls and report the usage headers each response carried.
/// </summary>
[Alias("OrleansSocial.IRateBudgetGrain")]
public interface IRateBudgetGrain : IGrainWithStringKey
{
    /// <summary>
    /// May <paramref name="tenantId"/> spend <paramref name="calls"/> calls at <paramref name="priority"/>?
    /// Within a priority, tenants sharing the bucket take turns: one that has spent more than another
    /// waiting tenant cannot take the last calls under the ceiling.
    /// </summary>
    [Alias("RequestFor")]
    Task<BudgetDecision> Request(BudgetPriority priority, int calls, string tenantId);

    [Alias("Report")]
    Task Report(BudgetReport report);
}
