using OrleansSocial.Channels;
using OrleansSocial.ReadModels;
using OrleansSocial.ReadModels.Analytics;
using OrleansSocial.ReadModels.Sync;
using OrleansSocial.Storage.Documents;

namespace OrleansSocial.Grains.Analytics;

/// <summary>
/// Keeps a channel's <see cref="BestTimesRecord"/> current, a sync at a time. A post counts once it has
/// settled (older than the window a daily sync still re-reads, so its counts no longer change): each run
/// reads only the posts that settled since the last one, plus any older ones a backfill brought in, and
/// writes the tally in one document write — a run that dies before it counts them again next time, never twice.
/// A change of the tenant's time zone starts the tally over in the new zone.
/// </summary>
internal sealed class BestTimesTally(IDocumentDatabase database, TimeProvider time)
{
    // Facebook's daily Page followers total; Instagram's follower_count is new followers a day, so the profile stands in.
    private const string FollowersMetric = "page_follows";

    private IDocumentCollection Tallies => database.GetCollection(Collections.BestTimes);

    private IDocumentCollection Posts => database.GetCollection(Collections.Posts);

    public async Task<int> UpdateAsync(string channelId, string platform, TimeZoneInfo zone, TimeSpan settle, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var until = now - settle;
        var stored = await Tallies.GetAsync(channelId, cancellationToken) is { } json ? DocumentJson.TryRead<BestTimesRecord>(json) : null;
        var tally = stored is { Slots.Count: BestTimesRecord.SlotCount } && stored.TimeZone == zone.Id ? stored : BestTimesRecord.Empty(channelId, zone.Id, now);
        // Older posts a backfill (or a first sync) brought in, then those that settled since the last run.
        var ranges = tally.CountedUntil is { } through
            ? new[] { ((DateTimeOffset?)null, tally.CountedFrom ?? through), ((DateTimeOffset?)through, (DateTimeOffset?)until) }
            : [(null, until)];
        var settled = new List<PostRecord>();
        foreach (var (from, to) in ranges)
        {
            if (to is { } end && (from is not { } start || start < end))
            {
                await foreach (var post in SettledAsync(channelId, from, end, cancellationToken))
                {
                    settled.Add(post);
                }
            }
        }

        var slots = tally.Slots.ToArray();
        DateTimeOffset? earliest = tally.CountedFrom;
        if (settled.Count > 0)
        {
            var followers = await FollowersAsync(channelId, platform, settled.Min(p => p.CreatedAt), settled.Max(p => p.CreatedAt), cancellationToken);
            foreach (var post in settled)
            {
                var slot = BestTimesRecord.SlotOf(TimeZoneInfo.ConvertTime(post.CreatedAt, zone));
                slots[slot] = slots[slot].Add(Score(post, followers.At(post.CreatedAt)));
                earliest = earliest is { } e && e <= post.CreatedAt ? e : post.CreatedAt;
            }
        }

        var updated = tally with
        {
            CountedFrom = earliest ?? tally.CountedFrom,
            CountedUntil = tally.CountedUntil is { } previous && previous > until ? previous : until,
            Slots = slots,
            UpdatedAt = now,
        };
        await Tallies.UpsertAsync(channelId, DocumentJson.ToJson(updated), cancellationToken);
        return settled.Count;
    }

    /// <summary>Engagement per 1,000 followers at the time the post was published.</summary>
    public static double Score(PostRecord post, double followers) =>
        (post.Reactions + post.Comments + post.Shares) * 1000.0 / Math.Max(1, followers);

    /// <summary>The channel's posts published in [from, to), oldest first, a page at a time along the channel's time index.</summary>
    private async IAsyncEnumerable<PostRecord> SettledAsync(string channelId, DateTimeOffset? from, DateTimeOffset to,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        List<FieldFilter> filters = [FieldFilter.Eq("channelId", channelId), FieldFilter.Lt("createdAt", StoredTime.Of(to))];
        if (from is { } start)
        {
            filters.Add(FieldFilter.Gte("createdAt", StoredTime.Of(start)));
        }

        string? cursor = null;
        do
        {
            var page = await Posts.QueryAsync(new DocumentQuery
            {
                Filters = filters,
                Sort = new SortField("createdAt", FieldKind.String),
                Limit = DocumentQuery.MaxLimit,
                Cursor = cursor,
            }, cancellationToken);
            foreach (var document in page.Items)
            {
                if (DocumentJson.TryRead<PostRecord>(document.Body) is { PostId: not null } post)
                {
                    yield return post;
                }
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);
    }

    /// <summary>The followers totals stored for the days the posts span (a week before the first, for a gap), not the whole series.</summary>
    private async Task<FollowerHistory> FollowersAsync(string channelId, string platform, DateTimeOffset first, DateTimeOffset last, CancellationToken cancellationToken)
    {
        var profile = await database.GetCollection(Collections.Profiles).GetAsync(channelId, cancellationToken) is { } json ? DocumentJson.TryRead<ProfileRecord>(json) : null;
        var current = (double?)(profile?.Followers ?? profile?.Fans) ?? 1;
        if (platform != ChannelIds.Facebook)
        {
            return new FollowerHistory([], current);
        }

        var series = new List<(DateTimeOffset At, double Value)>();
        await foreach (var document in database.GetCollection(Collections.Insights).QueryAllAsync(
            [FieldFilter.Eq("channelId", channelId), FieldFilter.Eq("metric", FollowersMetric), FieldFilter.Eq("period", "day"),
             FieldFilter.Gte("endTime", StoredTime.Of(first - TimeSpan.FromDays(7))), FieldFilter.Lt("endTime", StoredTime.Of(last + TimeSpan.FromDays(1)))], cancellationToken))
        {
            if (DocumentJson.TryRead<InsightRecord>(document.Body) is { Value: > 0 } value)
            {
                series.Add((value.EndTime, value.Value));
            }
        }

        return new FollowerHistory([.. series.OrderBy(v => v.At)], current);
    }

    /// <summary>Followers by day: the last known total at or before a time, else the earliest known, else today's.</summary>
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
