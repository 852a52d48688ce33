using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace OrleansSocial.GraphEmulator.Graph;

/// <summary>
/// Real call counters per bucket over rolling windows: the app (user/app tokens, 1 h), each
/// Page (Page tokens, 24 h) and each Instagram account (24 h). Every call counts, throttled
/// ones too, so a client that keeps calling stays locked out, as on the real platform.
/// </summary>
public sealed class RateBuckets
{
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);

    public int AppCallsPerHour { get; set; }

    public int PageCallsPerDay { get; set; }

    public int InstagramCallsPerDay { get; set; }

    private long _throttled;

    /// <summary>Calls refused with a throttling error since the start (or the last reset): what a well-behaved client keeps at zero.</summary>
    public long ThrottledCalls => Interlocked.Read(ref _throttled);

    public sealed record Spend(string Kind, string ObjectId, int Percent, int RegainMinutes, bool Throttled);

    /// <summary>Counts one call and reports the bucket's state after it.</summary>
    public Spend Count(string kind, string objectId, DateTimeOffset now)
    {
        var (limit, window) = kind switch
        {
            "app" => (AppCallsPerHour, TimeSpan.FromHours(1)),
            "pages" => (PageCallsPerDay, TimeSpan.FromDays(1)),
            _ => (InstagramCallsPerDay, TimeSpan.FromDays(1)),
        };
        var bucket = _buckets.GetOrAdd($"{kind}:{objectId}", _ => new Bucket());
        lock (bucket)
        {
            while (bucket.Calls.Count > 0 && bucket.Calls.Peek() <= now - window)
            {
                bucket.Calls.Dequeue();
            }

            var throttled = bucket.Calls.Count >= limit;
            if (throttled)
            {
                Interlocked.Increment(ref _throttled);
                bucket.Throttled++;
            }

            bucket.Calls.Enqueue(now);
            var percent = (int)Math.Min(999, bucket.Calls.Count * 100L / Math.Max(1, limit));
            var regain = 0;
            if (bucket.Calls.Count >= limit)
            {
                // Enough calls must age out to bring the count below the limit again.
                var mustExpire = bucket.Calls.ElementAt(bucket.Calls.Count - limit);
                regain = (int)Math.Ceiling(Math.Max(0, (mustExpire + window - now).TotalMinutes));
                regain = Math.Max(regain, 1);
            }

            return new Spend(kind, objectId, percent, regain, throttled);
        }
    }

    public void Reset()
    {
        _buckets.Clear();
        Interlocked.Exchange(ref _throttled, 0);
    }

    /// <summary>The usage header a response carries for this spend.</summary>
    public static (string Name, string Value) Header(Spend spend)
    {
        var usage = new JsonObject
        {
            ["call_count"] = spend.Percent,
            ["total_cputime"] = spend.Percent * 3 / 4,
            ["total_time"] = spend.Percent * 4 / 5,
        };
        if (spend.Kind == "app")
        {
            return ("X-App-Usage", GraphJson.Write(usage));
        }

        usage["type"] = spend.Kind;
        usage["estimated_time_to_regain_access"] = spend.RegainMinutes;
        return ("X-Business-Use-Case-Usage", GraphJson.Write(new JsonObject { [spend.ObjectId] = new JsonArray(usage) }));
    }

    /// <summary>Throttled calls of one bucket (<c>pages</c>, <c>instagram</c> or <c>app</c>) since the last reset.</summary>
    public long ThrottledCallsFor(string kind, string objectId)
    {
        if (!_buckets.TryGetValue($"{kind}:{objectId}", out var bucket))
        {
            return 0;
        }

        lock (bucket)
        {
            return bucket.Throttled;
        }
    }

    private sealed class Bucket
    {
        public long Throttled { get; set; }

        public Queue<DateTimeOffset> Calls { get; } = new();
    }
}
