using System.Globalization;

namespace OrleansSocial.ReadModels.Analytics;

/// <summary>
/// One weekday × hour slot's tally: how many settled posts were published in it and the sum (and sum
/// of squares) of their scores, so a mean and a spread come out without keeping the posts.
/// </summary>
[System.Text.Json.Serialization.JsonConverter(typeof(SlotTallyJson))]
public sealed record SlotTally(int Posts, double Sum, double SumOfSquares)
{
    public static readonly SlotTally Empty = new(0, 0, 0);

    public SlotTally Add(double score) => new(Posts + 1, Sum + score, SumOfSquares + score * score);
}

/// <summary>
/// A channel's best-times tally (kept in its <see cref="ChannelInsightsRecord"/>): the 168 slots of the week
/// in the tenant's time zone (index = weekday × 24 + hour, Monday first) over the settled posts published
/// in [<see cref="CountedFrom"/>, <see cref="CountedUntil"/>). Each sync adds only what settled since.
/// </summary>
public sealed record BestTimesRecord(
    string ChannelId,
    string TimeZone,
    DateTimeOffset? CountedFrom,
    DateTimeOffset? CountedUntil,
    IReadOnlyList<SlotTally> Slots,
    DateTimeOffset UpdatedAt)
{
    public const int SlotCount = 7 * 24;

    public static BestTimesRecord Empty(string channelId, string timeZone, DateTimeOffset now) =>
        new(channelId, timeZone, null, null, [.. Enumerable.Repeat(SlotTally.Empty, SlotCount)], now);

    public int Posts => Slots.Sum(s => s.Posts);

    /// <summary>Monday 0 … Sunday 6, as the slots are laid out.</summary>
    public static int SlotOf(DateTimeOffset localTime) => ((int)localTime.DayOfWeek + 6) % 7 * 24 + localTime.Hour;
}

/// <summary>One ranked slot: its weekday and hour in the tenant's time zone and the sample behind it.</summary>
public sealed record BestSlot(string Weekday, int Hour, int Posts, double Score, double Lift, double Confidence);

/// <summary>
/// What <c>GET /api/channels/{id}/best-times</c> answers. <c>status</c>: <c>ranked</c>; <c>insufficient_history</c>
/// (fewer settled posts than a ranking needs: no slots, <c>detail</c> says how many more); <c>pending</c> (no
/// sync has tallied this channel yet). <c>score</c> is engagement (reactions, comments, shares) per 1,000
/// followers at the time; <c>lift</c> the slot's mean over the channel's; <c>confidence</c> 0-1 from the
/// slot's sample size and spread.
/// </summary>
public sealed record BestTimesView(
    string ChannelId,
    string Status,
    string? TimeZone,
    int PostsAnalysed,
    int MinimumPosts,
    DateTimeOffset? CountedFrom,
    DateTimeOffset? CountedUntil,
    IReadOnlyList<BestSlot> Slots,
    string? Detail);

/// <summary>Ranks a tally's slots; pure, so the request costs 168 slots whatever the history.</summary>
public static class BestTimesRanking
{
    /// <summary>Settled posts a channel needs before any ranking is given.</summary>
    public const int MinimumPosts = 20;

    /// <summary>Posts a slot needs to be ranked at all.</summary>
    public const int MinimumPerSlot = 3;

    // The sample size at which a slot's confidence stops growing with it.
    private const int FullSample = 12;

    public const string Ranked = "ranked";
    public const string InsufficientHistory = "insufficient_history";
    public const string Pending = "pending";

    private static readonly string[] Weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

    public static BestTimesView NotYetTallied(string channelId) =>
        new(channelId, Pending, null, 0, MinimumPosts, null, null, [], "No sync has tallied this channel's history yet; the next daily sync does.");

    /// <summary>The tally's slots ranked (in the time zone it was counted in), best first.</summary>
    public static BestTimesView Rank(BestTimesRecord tally, int? top = null)
    {
        var posts = tally.Posts;
        var ranked = new List<BestSlot>();
        if (posts >= MinimumPosts)
        {
            var overall = tally.Slots.Sum(s => s.Sum) / posts;
            for (var i = 0; i < tally.Slots.Count; i++)
            {
                var slot = tally.Slots[i];
                if (slot.Posts < MinimumPerSlot)
                {
                    continue;
                }

                var mean = slot.Sum / slot.Posts;
                var spread = Math.Sqrt(Math.Max(0, slot.SumOfSquares / slot.Posts - mean * mean));
                var standardError = spread / Math.Sqrt(slot.Posts);
                var precision = mean > 0 ? Math.Clamp(1 - standardError / mean, 0, 1) : 0;
                var confidence = precision * Math.Min(1.0, slot.Posts / (double)FullSample);
                ranked.Add(new BestSlot(Weekdays[i / 24], i % 24, slot.Posts, Round(mean), overall > 0 ? Round(mean / overall) : 0, Round(confidence)));
            }
        }

        if (posts < MinimumPosts || ranked.Count == 0)
        {
            var detail = posts < MinimumPosts
                ? $"{posts} settled post(s) analysed; a ranking needs at least {MinimumPosts} (posts count once they are a week old)."
                : $"No weekday and hour has {MinimumPerSlot} or more posts yet.";
            return new BestTimesView(tally.ChannelId, InsufficientHistory, tally.TimeZone, posts, MinimumPosts, tally.CountedFrom, tally.CountedUntil, [], detail);
        }

        IEnumerable<BestSlot> order = ranked.OrderByDescending(s => s.Score).ThenByDescending(s => s.Posts).ThenBy(s => Array.IndexOf(Weekdays, s.Weekday) * 24 + s.Hour);
        return new BestTimesView(tally.ChannelId, Ranked, tally.TimeZone, posts, MinimumPosts, tally.CountedFrom, tally.CountedUntil,
            [.. top is { } n ? order.Take(n) : order], null);
    }

    /// <summary>How many of the best slots scheduling chooses from: the soonest of them wins.</summary>
    public const int SlotsToChooseFrom = 3;

    /// <summary>How far ahead a time chosen for a post is at least: room to review it before it goes.</summary>
    public static readonly TimeSpan Lead = TimeSpan.FromMinutes(15);

    /// <summary>
    /// The soonest start of one of the <see cref="SlotsToChooseFrom"/> best slots at least <see cref="Lead"/>
    /// from now, in the zone the slots were counted in (an hour a clock change skips is passed over); null
    /// when the channel has no ranking.
    /// </summary>
    public static DateTimeOffset? NextSlot(BestTimesView view, DateTimeOffset now)
    {
        if (view.Status != Ranked || view.TimeZone is null || view.Slots.Count == 0)
        {
            return null;
        }

        var zone = TimeZoneInfo.FindSystemTimeZoneById(view.TimeZone);
        var wanted = view.Slots.Take(SlotsToChooseFrom).Select(IndexOf).ToHashSet();
        var earliest = now + Lead;
        var local = TimeZoneInfo.ConvertTime(earliest, zone).DateTime;
        var hour = new DateTime(local.Year, local.Month, local.Day, local.Hour, 0, 0, DateTimeKind.Unspecified);
        for (var step = 0; step <= 8 * 24; step++)
        {
            var candidate = hour.AddHours(step);
            if (!wanted.Contains(((int)candidate.DayOfWeek + 6) % 7 * 24 + candidate.Hour) || zone.IsInvalidTime(candidate))
            {
                continue;
            }

            var at = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(candidate, zone), TimeSpan.Zero);
            if (at >= earliest)
            {
                return at;
            }
        }

        return null;
    }

    /// <summary>The slot index of a ranked slot (Monday 0 … Sunday 6 × 24 + hour).</summary>
    public static int IndexOf(BestSlot slot) => Array.IndexOf(Weekdays, slot.Weekday) * 24 + slot.Hour;

    private static double Round(double value) => Math.Round(value, 3, MidpointRounding.AwayFromZero);

    public static string Describe(BestSlot slot) => string.Create(CultureInfo.InvariantCulture, $"{slot.Weekday} {slot.Hour:D2}:00");
}
