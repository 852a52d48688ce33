namespace OrleansSocial.Grains.Posts.Publishing;

/// <summary>
/// The write-ahead record of one publication (collection <c>publication_attempts</c>, key
/// <c>{postId}/{channelId}</c>). It is written before every Graph write, so whoever continues after
/// an unknown outcome (a timeout, a dropped connection, a dead silo) knows to read back first.
/// </summary>
public sealed record PublicationAttempt(
    string PostId,
    string ChannelId,
    int Tries,
    DateTimeOffset FirstTriedAt,
    DateTimeOffset? WriteStartedAt = null,
    IReadOnlyList<string>? PhotoIds = null,
    IReadOnlyList<string>? ChildContainers = null,
    string? ContainerId = null,
    DateTimeOffset? ContainerCreatedAt = null,
    int Polls = 0)
{
    public static string KeyOf(string postId, string channelId) => $"{postId}/{channelId}";

    /// <summary>A write was started and its answer never recorded: it may have happened.</summary>
    public bool OutcomeUnknown => WriteStartedAt is not null;
}

/// <summary>Where one step of delivering a publication left it.</summary>
public abstract record PublishOutcome
{
    public sealed record Published(string? PlatformPostId, string? Permalink, DateTimeOffset At, bool Adopted) : PublishOutcome;

    /// <summary><paramref name="Reason"/> is a stable word (<c>needs_reauth</c>, <c>permission</c>, <c>invalid_media</c>, <c>quota</c>, <c>transient</c>, …).</summary>
    public sealed record Failed(string Reason, bool Retryable, string Detail) : PublishOutcome;

    /// <summary>Not yet: an Instagram container still processing, a throttled bucket, a backoff after a transient failure.</summary>
    public sealed record Wait(DateTimeOffset Until, string Why) : PublishOutcome;
}
