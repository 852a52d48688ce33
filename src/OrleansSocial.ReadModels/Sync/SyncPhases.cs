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

    /// <summary>
    /// No Graph call: the key daily series (followers, reach, engagement) of the last two complete days judged
    /// against their own baseline, then the posts that settled since the last run (and any a backfill brought in)
    /// added to the channel's best-times tally. One phase, so the two share one read of the recent series and one
    /// record of progress.
    /// </summary>
    public const string Insights = "insights";

    // The two halves of Insights were phases of their own at first; runs recorded then still resume through them.
    public const string Anomalies = "anomalies";
    public const string BestTimes = "best-times";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        Token, Snapshot, Profile, Posts, Comments, DayInsights, WeekInsights, MonthInsights, Backfill, Insights, Anomalies, BestTimes,
    };

    /// <summary>
    /// Daily: the snapshot; a scheduled daily run checks the token first. Weekly: week insights. Monthly: 28-day insights, then backfill.
    /// A run that read the day's insights and posts (or backfilled them) then works out its insights.
    /// </summary>
    public static IReadOnlyList<string> For(IReadOnlyCollection<string> kinds, bool scheduled)
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
            phases.Add(Insights);
        }

        return phases;
    }
}
