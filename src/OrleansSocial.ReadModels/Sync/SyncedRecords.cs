namespace OrleansSocial.ReadModels.Sync;

/// <summary>The latest snapshot of a Page or Instagram account (collection <c>profiles</c>, id = channel id).</summary>
public sealed record ProfileRecord(
    string ChannelId,
    string? Name,
    string? Username,
    long? Fans,
    long? Followers,
    long? Follows,
    long? MediaCount,
    DateTimeOffset SyncedAt);

/// <summary>A Page post or Instagram media with its engagement counts (collection <c>posts</c>, id = platform id).</summary>
public sealed record PostRecord(
    string ChannelId,
    string PostId,
    DateTimeOffset CreatedAt,
    string? Message,
    string? Permalink,
    long Comments,
    long Reactions,
    long Shares,
    string? MediaType,
    DateTimeOffset SyncedAt);

/// <summary>A comment on a post (collection <c>comments</c>, id = platform id).</summary>
public sealed record CommentRecord(
    string ChannelId,
    string PostId,
    string CommentId,
    DateTimeOffset CreatedAt,
    string? Message,
    string? Author,
    long Likes);

/// <summary>One value of one insight metric for one period end (collection <c>insights</c>).</summary>
public sealed record InsightRecord(
    string ChannelId,
    string Metric,
    string Period,
    DateTimeOffset EndTime,
    double Value,
    IReadOnlyDictionary<string, double>? Breakdown)
{
    public static string IdOf(string channelId, string metric, string period, DateTimeOffset endTime) =>
        $"{channelId}|{metric}|{period}|{OrleansSocial.Storage.Documents.StoredTime.Of(endTime)}";
}

/// <summary>What reads need of a channel record (collection <c>channels</c>); the grain's record holds more, tokens included, which reads never see.</summary>
public sealed record ChannelSummary(string ChannelId, string Platform, string? Name);
