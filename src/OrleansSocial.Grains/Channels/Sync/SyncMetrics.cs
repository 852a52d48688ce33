using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OrleansSocial.Grains.Channels.Sync;

/// <summary>
/// The sync engine's counters (meter <c>OrleansSocial.Sync</c>), tagged by tenant so an operator
/// sees who spends the Graph budget. Never a token or an account's data in a tag.
/// </summary>
public static class SyncMetrics
{
    public const string MeterName = "OrleansSocial.Sync";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Runs = Meter.CreateCounter<long>("orleans_social.sync.runs", description: "Sync runs ended, by tenant, trigger and status");
    private static readonly Counter<long> Calls = Meter.CreateCounter<long>("orleans_social.sync.graph_calls", description: "Graph HTTP calls spent by sync runs");
    private static readonly Counter<long> Items = Meter.CreateCounter<long>("orleans_social.sync.items", description: "Documents written by sync runs");
    private static readonly Counter<long> Throttles = Meter.CreateCounter<long>("orleans_social.sync.throttles", description: "Runs parked by the rate budget or by a Graph throttle");
    private static readonly Histogram<double> PhaseDuration = Meter.CreateHistogram<double>("orleans_social.sync.phase.duration", unit: "ms",
        description: "Time a sync phase took from start to end (Graph calls, budget waits and writes included), by phase");

    public static void RunEnded(string tenantId, string trigger, string status, int graphCalls, int items)
    {
        var tags = new TagList { { "tenant", tenantId }, { "trigger", trigger }, { "status", status } };
        Runs.Add(1, tags);
        Calls.Add(graphCalls, new KeyValuePair<string, object?>("tenant", tenantId));
        Items.Add(items, new KeyValuePair<string, object?>("tenant", tenantId));
    }

    /// <summary>A phase that finished; by phase only (a handful of values), so what each costs shows across tenants.</summary>
    public static void PhaseEnded(string phase, TimeSpan took) => PhaseDuration.Record(took.TotalMilliseconds, new KeyValuePair<string, object?>("phase", phase));

    public static void Parked(string tenantId) => Throttles.Add(1, new KeyValuePair<string, object?>("tenant", tenantId));
}
