using System.Collections.Concurrent;
using OrleansSocial.GraphEmulator.Graph;
using OrleansSocial.GraphEmulator.Webhooks;
using OrleansSocial.GraphEmulator.World;

namespace OrleansSocial.GraphEmulator;

/// <summary>Everything the emulator holds: world, clock, tokens, budgets, faults, containers and the request log.</summary>
public sealed class EmulatorState
{
    public EmulatorState(EmulatorOptions options, TimeProvider time)
    {
        Options = options;
        var start = options.StartTime ?? time.GetUtcNow();
        Clock = new EmulatorClock(start, options.ClockSpeed, time);
        World = new EmulatorWorld(options, start, time.GetUtcNow());
        Tokens = new TokenStore(World, start);
        Comments = new CommentBoard(World);
        Webhooks = new MetaWebhooks(options, World, Clock);
        Shapes = new Graph.InsightShapes(options.WeekendFactor, Graph.InsightMetrics.Pacific);
        Buckets = new RateBuckets
        {
            AppCallsPerHour = options.AppCallsPerHour,
            PageCallsPerDay = options.PageCallsPerDay,
            InstagramCallsPerDay = options.InstagramCallsPerDay,
        };
    }

    public EmulatorOptions Options { get; }

    public EmulatorClock Clock { get; }

    public EmulatorWorld World { get; }

    public TokenStore Tokens { get; }

    public RateBuckets Buckets { get; }

    public Faults Faults { get; } = new();

    /// <summary>The weekly shape of daily insight values and the drops and spikes asked for.</summary>
    public Graph.InsightShapes Shapes { get; }

    public CommentBoard Comments { get; }

    public MetaWebhooks Webhooks { get; }

    public RequestLog Log { get; } = new();

    public ConcurrentDictionary<string, Container> Containers { get; } = new();

    public ConcurrentDictionary<string, UnpublishedPhoto> UnpublishedPhotos { get; } = new();

    /// <summary>Everything published through the API, in order: the duplicate count of tests and benchmarks.</summary>
    public ConcurrentQueue<Publication> Publications { get; } = new();
}
