namespace OrleansSocial.ReadModels.Operations;

/// <summary>
/// What this silo saw happen, by minute, over the last day: sync runs by outcome, publications and
/// their lateness, publication failures by reason, failed authentications at the front; and the
/// last budget use of each Page bucket that reported here. In memory: a silo publishes its figures
/// to the catalog every few seconds, where the overview merges the
/// silos' figures, so a silo that dies takes only its last few seconds with it.
/// </summary>
public sealed class OperatorFigures(TimeProvider time)
{
    /// <summary>Upper bounds, in seconds, of the lateness histogram's buckets (the last is open).</summary>
    public static readonly double[] LatenessBounds = [0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600, 900, 1800, 3600];

    public static readonly TimeSpan Window = TimeSpan.FromDays(1);

    private const int MaxBudgets = 50;

    private readonly object _gate = new();
    private readonly SortedDictionary<long, Minute> _minutes = [];
    private readonly Dictionary<string, BudgetUse> _budgets = new(StringComparer.Ordinal);
    private long _version;

    /// <summary>The silo these figures are published as (its address), set once the silo knows it.</summary>
    public string? Silo { get; set; }

    /// <summary>Changes since the silo started: a publisher writes only when this moved.</summary>
    public long Version => Interlocked.Read(ref _version);

    public void SyncEnded(string outcome) => Record(minute => Increment(minute.Syncs, outcome));

    public void Published(TimeSpan lateness) => Record(minute =>
    {
        minute.Published++;
        minute.Lateness[BucketOf(Math.Max(0, lateness.TotalSeconds))]++;
    });

    public void PublicationFailed(string reason) => Record(minute => Increment(minute.Failures, reason));

    public void AuthenticationFailed() => Record(minute => minute.FailedAuthentications++);

    /// <summary>A Page's (or account's, or the app's) bucket as Graph last reported it.</summary>
    public void BudgetUsed(string bucket, double percentUsed)
    {
        lock (_gate)
        {
            _budgets[bucket] = new BudgetUse(bucket, Math.Round(percentUsed, 1), time.GetUtcNow());
            if (_budgets.Count > MaxBudgets * 2)
            {
                // Only the busiest are ever shown: the rest are forgotten rather than kept for every Page.
                foreach (var quiet in _budgets.Values.OrderByDescending(b => b.PercentUsed).Skip(MaxBudgets).Select(b => b.Bucket).ToList())
                {
                    _budgets.Remove(quiet);
                }
            }

            _version++;
        }
    }

    /// <summary>The last day's figures as a document, for the catalog.</summary>
    public SiloFigures Snapshot(string silo)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            Trim(now);
            var since = now - Window;
            return new SiloFigures(
                silo,
                now,
                [.. _minutes.Select(m => m.Value.ToRecord(DateTimeOffset.FromUnixTimeSeconds(m.Key * 60)))],
                [.. _budgets.Values.Where(b => b.At >= since).OrderByDescending(b => b.PercentUsed).Take(MaxBudgets)]);
        }
    }

    public static int BucketOf(double seconds)
    {
        var index = Array.FindIndex(LatenessBounds, bound => seconds <= bound);
        return index < 0 ? LatenessBounds.Length : index;
    }

    private void Record(Action<Minute> change)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            var key = now.ToUnixTimeSeconds() / 60;
            if (!_minutes.TryGetValue(key, out var minute))
            {
                _minutes[key] = minute = new Minute();
                Trim(now);
            }

            change(minute);
            _version++;
        }
    }

    private void Trim(DateTimeOffset now)
    {
        var oldest = (now - Window).ToUnixTimeSeconds() / 60;
        while (_minutes.Count > 0 && _minutes.First().Key < oldest)
        {
            _minutes.Remove(_minutes.First().Key);
        }
    }

    private static void Increment(Dictionary<string, long> counts, string key) =>
        counts[key] = counts.TryGetValue(key, out var count) ? count + 1 : 1;

    private sealed class Minute
    {
        public Dictionary<string, long> Syncs { get; } = new(StringComparer.Ordinal);

        public long Published { get; set; }

        public long[] Lateness { get; } = new long[LatenessBounds.Length + 1];

        public Dictionary<string, long> Failures { get; } = new(StringComparer.Ordinal);

        public long FailedAuthentications { get; set; }

        public MinuteFigures ToRecord(DateTimeOffset at) =>
            new(at, new Dictionary<string, long>(Syncs), Published, [.. Lateness], new Dictionary<string, long>(Failures), FailedAuthentications);
    }
}

/// <summary>One silo's figures for one minute.</summary>
public sealed record MinuteFigures(
    DateTimeOffset At,
    IReadOnlyDictionary<string, long> Syncs,
    long Published,
    IReadOnlyList<long> Lateness,
    IReadOnlyDictionary<string, long> Failures,
    long FailedAuthentications);

/// <summary>How much of a bucket Graph last said was used, and when.</summary>
public sealed record BudgetUse(string Bucket, double PercentUsed, DateTimeOffset At);

/// <summary>A silo's last day of figures as it published them (a document in the catalog's <c>silo_figures</c>).</summary>
public sealed record SiloFigures(string Silo, DateTimeOffset At, IReadOnlyList<MinuteFigures> Minutes, IReadOnlyList<BudgetUse> Budgets);
