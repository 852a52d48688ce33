using OrleansSocial.Channels;
using OrleansSocial.ReadModels;
using OrleansSocial.ReadModels.Analytics;
using OrleansSocial.ReadModels.Sync;
using OrleansSocial.Storage.Documents;

namespace OrleansSocial.Grains.Analytics;

/// <summary>
/// Brings a channel's <see cref="BestTimesRecord"/> up to date, a sync at a time. A post counts once it has
/// settled (older than the window a daily sync still re-reads, so its counts no longer change): each run
/// reads only the posts that settled since the last one, plus any older ones a backfill brought in. The
/// caller stores the result in one document write — a run that dies before it counts them again next time,
/// never twice. A change of the tenant's time zone starts the tally over in the new zone.
/// </summary>
internal sealed class BestTimesTally(IDocumentDatabase database, TimeProvider time)
{
    public async Task<BestTimesRecord> AddSettledAsync(BestTimesRecord? stored, string channelId, string platform, TimeZoneInfo zone, TimeSpan settle, RecentKeySeries? recent,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var until = now - settle;
        var tally = stored is { Slots.Count: BestTimesRecord.SlotCount } && stored.Slots.All(s => s is not null) && stored.TimeZone == zone.Id ? stored : BestTimesRecord.Empty(channelId, zone.Id, now);
        // Older posts a backfill (or a first sync) brought in, then those that settled since the last run.
        var ranges = tally.CountedUntil is { } through
            ? new[] { ((DateTimeOffset?)null, tally.CountedFrom ?? through), ((DateTimeOffset?)through, (DateTimeOffset?)until) }
            : [(null, until)];
        var settled = new List<PostRecord>();
        foreach (var (from, to) in ranges)
        {
            if (to is { } end && (from is not { } start || start < end))
            {
                await foreach (var page in ReadModels.Lists.SyncedPostsQuery.PagesAsync(database, channelId, from, end, DocumentQuery.MaxLimit, cancellationToken))
                {
                    settled.AddRange(page);
                }
            }
        }

        var slots = tally.Slots.ToArray();
        DateTimeOffset? earliest = tally.CountedFrom;
        if (settled.Count > 0)
        {
            var followers = await FollowersAsync(channelId, platform, settled.Min(p => p.CreatedAt), settled.Max(p => p.CreatedAt), recent, cancellationToken);
            foreach (var post in settled)
            {
                var slot = BestTimesRecord.SlotOf(TimeZoneInfo.ConvertTime(post.CreatedAt, zone));
                slots[slot] = slots[slot].Add(Score(post, followers.At(post.CreatedAt)));
                earliest = earliest is { } e && e <= post.CreatedAt ? e : post.CreatedAt;
            }
        }

        return tally with
        {
            CountedFrom = earliest ?? tally.CountedFrom,
            CountedUntil = tally.CountedUntil is { } previous && previous > until ? previous : until,
            Slots = slots,
            UpdatedAt = now,
        };
    }

    /// <summary>Engagement per 1,000 followers at the time the post was published.</summary>
    public static double Score(PostRecord post, double followers) =>
        (post.Reactions + post.Comments + post.Shares) * 1000.0 / Math.Max(1, followers);

    /// <summary>
    /// The followers totals stored for the days the posts span (a week before the first, for a gap), not the
    /// whole series: from the run's recent window when it holds them (a daily run's settled posts are a week old).
    /// </summary>
    private async Task<FollowerHistory> FollowersAsync(string channelId, string platform, DateTimeOffset first, DateTimeOffset last, RecentKeySeries? recent,
        CancellationToken cancellationToken)
    {
        // Facebook keeps a daily followers total; Instagram's follower_count is new followers a day, so the profile stands in.
        if (platform == ChannelIds.Facebook)
        {
            var (metric, from, to) = (KeyMetrics.Followers(platform), first - TimeSpan.FromDays(7), last + TimeSpan.FromDays(1));
            var series = recent is not null && recent.Covers(metric, from, to)
                ? recent.Of(metric).Where(v => v.Day >= from && v.Day < to)
                : await DailySeries.ReadAsync(database, channelId, metric, from, to, cancellationToken);
            if (series.Where(v => v.Value > 0).ToList() is { Count: > 0 } known)
            {
                return new FollowerHistory(known, 0);
            }
        }

        var profile = await database.GetCollection(Collections.Profiles).GetAsync(channelId, cancellationToken) is { } json ? DocumentJson.TryRead<ProfileRecord>(json) : null;
        return new FollowerHistory([], (double?)(profile?.Followers ?? profile?.Fans) ?? 1);
    }

    /// <summary>Followers by day: the last known total at or before a time, else the earliest known; with none known, the profile's today.</summary>
    private sealed class FollowerHistory(IReadOnlyList<(DateTimeOffset At, double Value)> series, double current)
    {
        public double At(DateTimeOffset time)
        {
            if (series.Count == 0)
            {
                return current;
            }

            var (low, high) = (0, series.Count - 1);
            while (low < high)
            {
                var middle = (low + high + 1) / 2;
                if (series[middle].At <= time)
                {
                    low = middle;
                }
                else
                {
                    high = middle - 1;
                }
            }

            return series[low].Value;
        }
    }
}
