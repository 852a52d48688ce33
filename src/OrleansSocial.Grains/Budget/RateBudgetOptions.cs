namespace OrleansSocial.Grains.Budget;

/// <summary>How close to a Graph limit each priority may go (configuration section <c>RateBudget</c>).</summary>
public sealed class RateBudgetOptions
{
    public const string Section = "RateBudget";

    /// <summary>Publishing may spend the whole bucket: a post due now outranks every sync.</summary>
    public double PublishingCeiling { get; set; } = 100;

    /// <summary>Percent of a bucket up to which manual syncs may spend.</summary>
    public double ManualCeiling { get; set; } = 98;

    /// <summary>Inbox replies and moderation: a person waits, and the fan too, but publishing comes first.</summary>
    public double ConversationCeiling { get; set; } = 99;

    public double ScheduledCeiling { get; set; } = 95;

    /// <summary>Backfill stops first, leaving room for the work people are waiting for.</summary>
    public double BackfillCeiling { get; set; } = 75;

    /// <summary>After refusing, the bucket lets one call through this much later to learn how far usage has rolled off.</summary>
    public TimeSpan ProbeAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The shortest pause after Graph throttles (its regain estimate is in whole minutes and may be 0).</summary>
    public TimeSpan MinimumPause { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Calls kept under the ceiling for each other tenant (of the same priority) that has spent less
    /// in the last <see cref="FairShareWindow"/> than the one asking: about one daily sync.
    /// </summary>
    public int FairShareReserveCalls { get; set; } = 5;

    /// <summary>How far back spending and asking count for taking turns (Graph's usage windows are an hour).</summary>
    public TimeSpan FairShareWindow { get; set; } = TimeSpan.FromHours(1);
}
