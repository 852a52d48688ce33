using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace OrleansSocial.GraphEmulator.Graph;

/// <summary>
/// Real counters per bucket over rolling windows: the app (user/app tokens, 1 h), each Page
/// (Page tokens, 24 h) and each Instagram account (24 h). Each bucket counts calls, CPU and
/// time (<see cref="CallCost"/>) against the same quota; reaching it in any of the three
/// throttles. Every call counts, throttled ones too, so a client that keeps calling stays
/// locked out, as on the real platform.
/// </summary>
public sealed class RateBuckets
{
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Totals> _totals = new(StringComparer.Ordinal);

    public int AppCallsPerHour { get; set; }

    public int PageCallsPerDay { get; set; }

    public int InstagramCallsPerDay { get; set; }

    private long _throttled;

    /// <summary>Calls refused with a throttling error since the start (or the last reset): what a well-behaved client keeps at zero.</summary>
    public long ThrottledCalls => Interlocked.Read(ref _throttled);

    public sealed record Spend(string Kind, string ObjectId, int CallPercent, int CpuPercent, int TimePercent, int RegainMinutes, bool Throttled);

    /// <summary>What all buckets of one kind were charged since the last reset, in call units.</summary>
    public sealed record Spent(long Calls, double Cpu, double Time);

    /// <summary>Whether the bucket is full in any of its three measures: the call about to be made would be throttled.</summary>
    public bool IsFull(string kind, string objectId, DateTimeOffset now)
    {
        var (limit, window) = LimitOf(kind);
        if (!_buckets.TryGetValue(Key(kind, objectId), out var bucket))
        {
            return false;
        }

        lock (bucket)
        {
            bucket.Expire(now - window);
            return bucket.IsFull(limit);
        }
    }

    /// <summary>Counts one call at its cost and reports the bucket's state after it.</summary>
    public Spend Count(string kind, string objectId, DateTimeOffset now, CallCost cost)
    {
        var (limit, window) = LimitOf(kind);
        var bucket = _buckets.GetOrAdd(Key(kind, objectId), _ => new Bucket());
        var totals = _totals.GetOrAdd(kind, _ => new Totals());
        lock (totals)
        {
            totals.Calls++;
            totals.Cpu += cost.Cpu;
            totals.Time += cost.Time;
        }

        lock (bucket)
        {
            bucket.Expire(now - window);
            var throttled = bucket.IsFull(limit);
            if (throttled)
            {
                Interlocked.Increment(ref _throttled);
                bucket.Throttled++;
            }

            bucket.Add(now, cost);
            var regain = bucket.IsFull(limit) ? Math.Max(1, (int)Math.Ceiling(Math.Max(0, (bucket.FreeAt(limit) + window - now).TotalMinutes))) : 0;
            return new Spend(kind, objectId, Percent(bucket.Calls.Count, limit), Percent(bucket.Cpu, limit), Percent(bucket.Time, limit), regain, throttled);
        }
    }

    public void Reset()
    {
        _buckets.Clear();
        _totals.Clear();
        Interlocked.Exchange(ref _throttled, 0);
    }

    public Spent SpentOn(string kind)
    {
        if (!_totals.TryGetValue(kind, out var totals))
        {
            return new Spent(0, 0, 0);
        }

        lock (totals)
        {
            return new Spent(totals.Calls, totals.Cpu, totals.Time);
        }
    }

    /// <summary>The usage header a response carries for this spend.</summary>
    public static (string Name, string Value) Header(Spend spend)
    {
        var usage = new JsonObject
        {
            ["call_count"] = spend.CallPercent,
            ["total_cputime"] = spend.CpuPercent,
            ["total_time"] = spend.TimePercent,
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
        if (!_buckets.TryGetValue(Key(kind, objectId), out var bucket))
        {
            return 0;
        }

        lock (bucket)
        {
            return bucket.Throttled;
        }
    }

    private (int Limit, TimeSpan Window) LimitOf(string kind) => kind switch
    {
        "app" => (AppCallsPerHour, TimeSpan.FromHours(1)),
        "pages" => (PageCallsPerDay, TimeSpan.FromDays(1)),
        _ => (InstagramCallsPerDay, TimeSpan.FromDays(1)),
    };

    private static string Key(string kind, string objectId) => $"{kind}:{objectId}";

    private static int Percent(double used, int limit) => (int)Math.Min(999, used * 100 / Math.Max(1, limit));

    private sealed class Totals
    {
        public long Calls;
        public double Cpu;
        public double Time;
    }

    private sealed class Bucket
    {
        public long Throttled { get; set; }

        public Queue<(DateTimeOffset At, CallCost Cost)> Calls { get; } = new();

        public double Cpu { get; private set; }

        public double Time { get; private set; }

        public bool IsFull(int limit) => Calls.Count >= limit || Cpu >= limit || Time >= limit;

        public void Add(DateTimeOffset at, CallCost cost)
        {
            Calls.Enqueue((at, cost));
            Cpu += cost.Cpu;
            Time += cost.Time;
        }

        public void Expire(DateTimeOffset before)
        {
            while (Calls.Count > 0 && Calls.Peek().At <= before)
            {
                var (_, cost) = Calls.Dequeue();
                Cpu -= cost.Cpu;
                Time -= cost.Time;
            }

            if (Calls.Count == 0)
            {
                // Sums of doubles drift; an empty window is exactly zero.
                (Cpu, Time) = (0, 0);
            }
        }

        /// <summary>When the oldest call must have aged out for all three measures to be under the limit again.</summary>
        public DateTimeOffset FreeAt(int limit)
        {
            var (count, cpu, time) = (Calls.Count, Cpu, Time);
            foreach (var (at, cost) in Calls)
            {
                count--;
                cpu -= cost.Cpu;
                time -= cost.Time;
                if (count < limit && cpu < limit && time < limit)
                {
                    return at;
                }
            }

            return Calls.Count > 0 ? Calls.Last().At : DateTimeOffset.MinValue;
        }
    }
}
