using System.Globalization;
using System.Text.Json.Nodes;

namespace OrleansSocial.GraphEmulator.Graph;

public enum InsightScope
{
    Page,
    Post,
    InstagramUser,
    InstagramMedia,
}

/// <summary>
/// The metric registry: which metrics exist for which objects and periods. Values are
/// deterministic functions of (object, metric, day), so a re-read returns the same numbers.
/// </summary>
public static class InsightMetrics
{
    public static readonly TimeZoneInfo Pacific = TimeZoneInfo.FindSystemTimeZoneById("America/Los_Angeles");

    private static readonly Dictionary<string, (InsightScope Scope, string[] Periods, bool Breakdown)> Registry = new()
    {
        ["page_follows"] = (InsightScope.Page, ["day"], false),
        ["page_daily_follows"] = (InsightScope.Page, ["day"], false),
        ["page_daily_follows_unique"] = (InsightScope.Page, ["day"], false),
        ["page_post_engagements"] = (InsightScope.Page, ["day", "week", "days_28"], false),
        ["page_views_total"] = (InsightScope.Page, ["day", "week", "days_28"], false),
        ["page_media_view"] = (InsightScope.Page, ["day", "week", "days_28"], false),
        ["page_total_media_view_unique"] = (InsightScope.Page, ["day", "week", "days_28"], false),
        ["page_follows_country"] = (InsightScope.Page, ["day"], true),
        ["post_media_view"] = (InsightScope.Post, ["lifetime"], false),
        ["post_clicks"] = (InsightScope.Post, ["lifetime"], false),
        ["post_reactions_like_total"] = (InsightScope.Post, ["lifetime"], false),
        ["reach"] = (InsightScope.InstagramUser, ["day"], false),
        ["views"] = (InsightScope.InstagramUser, ["day"], false),
        ["accounts_engaged"] = (InsightScope.InstagramUser, ["day"], false),
        ["total_interactions"] = (InsightScope.InstagramUser, ["day"], false),
        ["follower_count"] = (InsightScope.InstagramUser, ["day"], false),
        ["profile_views"] = (InsightScope.InstagramUser, ["day"], false),
        ["website_clicks"] = (InsightScope.InstagramUser, ["day"], false),
        ["follower_demographics"] = (InsightScope.InstagramUser, ["lifetime"], true),
    };

    private static readonly string[] MediaMetrics = ["views", "reach", "likes", "comments", "shares", "saved", "total_interactions"];

    public static bool IsValid(string metric, InsightScope scope, IReadOnlyCollection<string> deprecated) =>
        !deprecated.Contains(metric) && (scope == InsightScope.InstagramMedia ? MediaMetrics.Contains(metric) : Registry.TryGetValue(metric, out var m) && m.Scope == scope);

    public static IReadOnlyList<string> PeriodsOf(string metric, InsightScope scope) =>
        scope == InsightScope.InstagramMedia ? ["lifetime"] : Registry[metric].Periods;

    public static bool IsBreakdown(string metric, InsightScope scope) => scope != InsightScope.InstagramMedia && Registry[metric].Breakdown;

    /// <summary>End of the Pacific day that contains <paramref name="at"/>, in UTC: Graph's <c>end_time</c>.</summary>
    public static DateTimeOffset EndOfPacificDay(DateTimeOffset at)
    {
        var local = TimeZoneInfo.ConvertTime(at, Pacific);
        var nextMidnight = local.Date.AddDays(1);
        return new DateTimeOffset(nextMidnight, Pacific.GetUtcOffset(nextMidnight)).ToUniversalTime();
    }

    public static long DayValue(int seed, string objectId, string metric, DateTimeOffset dayEnd, InsightShapes? shapes = null)
    {
        var day = (int)(dayEnd.ToUnixTimeSeconds() / 86_400);
        var noise = (uint)World.StableHash.Of(seed, objectId, metric, day) % 60;
        var value = 20 + noise + day % 17;
        return shapes?.Apply(objectId, metric, dayEnd, value) ?? value;
    }

    public static JsonNode Value(int seed, string objectId, string metric, string period, DateTimeOffset dayEnd, bool breakdown, InsightShapes? shapes = null)
    {
        var days = period switch { "week" => 7, "days_28" => 28, _ => 1 };
        long total = 0;
        for (var d = 0; d < days; d++)
        {
            total += DayValue(seed, objectId, metric, dayEnd.AddDays(-d), shapes);
        }

        return breakdown
            ? new JsonObject { ["US"] = total * 6 / 10, ["FR"] = total * 3 / 10, ["DE"] = total - total * 6 / 10 - total * 3 / 10 }
            : JsonValue.Create(total);
    }

    public static string Title(string metric) =>
        CultureInfo.InvariantCulture.TextInfo.ToTitleCase(metric.Replace('_', ' '));
}
