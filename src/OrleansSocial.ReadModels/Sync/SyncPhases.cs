using OrleansSocial.Channels;

namespace OrleansSocial.ReadModels.Sync;

/// <summary>The steps of a run, in order; a run records each step it finished so a resumed run skips them.</summary>
public static class SyncPhases
{
    public const string Token = "token";

    /// <summary>Profile, posts with their comments and the day's insights in one request (field expansion on the account's node).</summary>
    public const string Snapshot = "snapshot";

    // Before the snapshot, a daily run read these one by one; runs recorded then still resume through them.
    public const string Profile = "profile";
    public const string Posts = "posts";
    public const string Comments = "comments";
    public const string DayInsights = "insights-day";
    public const string WeekInsights = "insights-week";
    public const string MonthInsights = "insights-days_28";
    public const string Backfill = "backfill";

    /// <summary>The key daily series (followers, reach, engagement) of the last two complete days judged against their own baseline; no Graph call.</summary>
    public const string Anomalies = "anomalies";

    /// <summary>The posts that settled since the last run (and any a backfill brought in) added to the channel's best-times tally; no Graph call.</summary>
    public const string BestTimes = "best-times";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        Token, Snapshot, Profile, Posts, Comments, DayInsights, WeekInsights, MonthInsights, Backfill, Anomalies, BestTimes,
    };

    /// <summary>
    /// Daily: the snapshot; a scheduled daily run checks the token first. Weekly: week insights. Monthly: 28-day insights, then backfill.
    /// A run that read the day's insights (or backfilled them) then judges them for anomalies, and one that read posts tallies them for best times.
    /// </summary>
    public static IReadOnlyList<string> For(IReadOnlyCollection<string> kinds, bool scheduled, bool bestTimes = true)
    {
        var phases = new List<string>();
        if (kinds.Contains(SyncKinds.Daily))
        {
            if (scheduled)
            {
                phases.Add(Token);
            }

            phases.Add(Snapshot);
        }

        if (kinds.Contains(SyncKinds.Weekly))
        {
            phases.Add(WeekInsights);
        }

        if (kinds.Contains(SyncKinds.Monthly))
        {
            phases.AddRange([MonthInsights, Backfill]);
        }

        if (phases.Contains(Snapshot) || phases.Contains(Backfill))
        {
            phases.Add(Anomalies);
            if (bestTimes)
            {
                phases.Add(BestTimes);
            }
        }

        return phases;
    }
}
