using System.Collections.Concurrent;
using System.Globalization;
using OrleansSocial.GraphEmulator.Graph;
using OrleansSocial.GraphEmulator.World;

namespace OrleansSocial.GraphEmulator;

/// <summary>Everything the emulator holds: world, clock, tokens, budgets, faults, containers and the request log.</summary>
public sealed class EmulatorState
{
    private readonly ConcurrentDictionary<string, List<Comment>> _extraComments = new();
    private long _nextComment;

    public EmulatorState(EmulatorOptions options, TimeProvider time)
    {
        Options = options;
        var start = options.StartTime ?? time.GetUtcNow();
        Clock = new EmulatorClock(start, options.ClockSpeed, time);
        World = new EmulatorWorld(options, start);
        Tokens = new TokenStore(World, start);
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

    public RequestLog Log { get; } = new();

    public ConcurrentDictionary<string, Container> Containers { get; } = new();

    public ConcurrentDictionary<string, UnpublishedPhoto> UnpublishedPhotos { get; } = new();

    /// <summary>Everything published through the API, in order: the duplicate count of tests and benchmarks.</summary>
    public ConcurrentQueue<Publication> Publications { get; } = new();

    public IReadOnlyList<Comment> ExtraComments(string objectId) =>
        _extraComments.TryGetValue(objectId, out var list) ? list.ToList() : [];

    public Comment? AddComment(string objectId, string message, TokenInfo token)
    {
        if (World.FindPost(objectId) is null && World.FindMedia(objectId) is null)
        {
            return null;
        }

        var id = $"{objectId.Split('_').Last()}_{(EmulatorWorld.CommentBase + 90_000_000 + Interlocked.Increment(ref _nextComment)).ToString(CultureInfo.InvariantCulture)}";
        var comment = new Comment(id, objectId, message, Clock.Now, token.PageId ?? token.UserId, "Page", 0);
        var list = _extraComments.GetOrAdd(objectId, _ => []);
        lock (list)
        {
            list.Add(comment);
        }

        return comment;
    }
}
