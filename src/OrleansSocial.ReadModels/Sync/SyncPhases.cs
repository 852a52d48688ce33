using OrleansSocial.Channels;

namespace OrleansSocial.ReadModels.Sync;

/// <summary>The steps of a run, in order; a run records each step it finished so a resumed run skips them.</summary>
public static class SyncPhases
{
    public const string Token = "token";
    public const string Profile = "profile";
    public const string Posts = "posts";
    public const string Comments = "comments";
    public const string DayInsights = "insights-day";
    public const string WeekInsights = "insights-week";
    public const string MonthInsights = "insights-days_28";
    public const string Backfill = "backfill";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        Token, Profile, Posts, Comments, DayInsights, WeekInsights, MonthInsights, Backfill,
    };

    /// <summary>
    /// Daily: profile, posts, comments (after posts: it reads the stored recent posts), day insights;
    /// a scheduled daily run checks the token first. Weekly: week insights. Monthly: 28-day insights, then backfill.
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

            phases.AddRange([Profile, Posts, Comments, DayInsights]);
        }

        if (kinds.Contains(SyncKinds.Weekly))
        {
            phases.Add(WeekInsights);
        }

        if (kinds.Contains(SyncKinds.Monthly))
        {
            phases.AddRange([MonthInsights, Backfill]);
        }

        return phases;
    }
}
