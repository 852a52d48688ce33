using OrleansSocial.ReadModels.Sync;
using OrleansSocial.Storage.Documents;

namespace OrleansSocial.ReadModels.Lists;

/// <summary>A channel's anomalies, the most recent day first.</summary>
public sealed record AnomaliesQuery(string ChannelId, int Limit, string? Cursor) : ListQuery<Analytics.AnomalyRecord>(Limit, Cursor)
{
    public static readonly IndexDefinition ByChannel = new("channel_day", [new IndexField("channelId", FieldKind.String), new IndexField("day", FieldKind.String, Descending: true)]);

    public override string Collection => Collections.Anomalies;

    public override IndexDefinition Index => ByChannel;

    public override DocumentQuery PageQuery => new()
    {
        Filters = [FieldFilter.Eq("channelId", ChannelId)],
        Sort = new SortField("day", FieldKind.String, Descending: true),
        Limit = Limit,
        Cursor = Cursor,
    };
}

/// <summary>A channel's sync runs, newest first.</summary>
public sealed record SyncRunsQuery(string ChannelId, int Limit, string? Cursor) : ListQuery<SyncRunRecord>(Limit, Cursor)
{
    public static readonly IndexDefinition ByChannel = new("channel_started", [new IndexField("channelId", FieldKind.String), new IndexField("startedAt", FieldKind.String, Descending: true)]);

    public override string Collection => Collections.SyncRuns;

    public override IndexDefinition Index => ByChannel;

    public override DocumentQuery PageQuery => new()
    {
        Filters = [FieldFilter.Eq("channelId", ChannelId)],
        Sort = new SortField("startedAt", FieldKind.String, Descending: true),
        Limit = Limit,
        Cursor = Cursor,
    };
}

/// <summary>A channel's synced posts, newest first, optionally within a time range.</summary>
public sealed record SyncedPostsQuery(string ChannelId, DateTimeOffset? Since, DateTimeOffset? Until, int Limit, string? Cursor) : ListQuery<PostRecord>(Limit, Cursor)
{
    public static readonly IndexDefinition ByChannel = new("channel_created", [new IndexField("channelId", FieldKind.String), new IndexField("createdAt", FieldKind.String, Descending: true)]);

    public override string Collection => Collections.Posts;

    public override IndexDefinition Index => ByChannel;

    public override DocumentQuery PageQuery => new()
    {
        Filters = [FieldFilter.Eq("channelId", ChannelId), .. Range("createdAt", Since, Until)],
        Sort = new SortField("createdAt", FieldKind.String, Descending: true),
        Limit = Limit,
        Cursor = Cursor,
    };

    /// <summary>Every post of the channel published in [since, until), a page at a time, newest first: memory bounded by a page.</summary>
    public static async IAsyncEnumerable<IReadOnlyList<PostRecord>> PagesAsync(IDocumentDatabase database, string channelId, DateTimeOffset? since, DateTimeOffset until, int pageSize,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? cursor = null;
        do
        {
            var (items, next) = await new SyncedPostsQuery(channelId, since, until, pageSize, cursor).RunAsync(database, cancellationToken);
            yield return items;
            cursor = next;
        }
        while (cursor is not null);
    }
}

/// <summary>The comments of one synced post of a channel, oldest first.</summary>
public sealed record CommentsQuery(string ChannelId, string PostId, int Limit, string? Cursor) : ListQuery<CommentRecord>(Limit, Cursor)
{
    public static readonly IndexDefinition ByPost = new("post_created", [new IndexField("postId", FieldKind.String), new IndexField("createdAt", FieldKind.String)]);

    public override string Collection => Collections.Comments;

    public override IndexDefinition Index => ByPost;

    public override DocumentQuery PageQuery => new()
    {
        Filters = [FieldFilter.Eq("postId", PostId), FieldFilter.Eq("channelId", ChannelId)],
        Sort = new SortField("createdAt", FieldKind.String),
        Limit = Limit,
        Cursor = Cursor,
    };
}

/// <summary>A channel's insights by end time, optionally of one metric and period, within a time range.</summary>
public sealed record InsightsQuery(string ChannelId, string? Metric, string? Period, DateTimeOffset? Since, DateTimeOffset? Until, int Limit, string? Cursor)
    : ListQuery<InsightRecord>(Limit, Cursor)
{
    public static readonly IndexDefinition ByChannelMetric = new("channel_metric",
        [new IndexField("channelId", FieldKind.String), new IndexField("metric", FieldKind.String), new IndexField("endTime", FieldKind.String)]);

    /// <summary>Without a metric the page is ordered by end time across the channel's metrics.</summary>
    public static readonly IndexDefinition ByChannelEnd = new("channel_end", [new IndexField("channelId", FieldKind.String), new IndexField("endTime", FieldKind.String)]);

    public override string Collection => Collections.Insights;

    public override IndexDefinition Index => Metric is null ? ByChannelEnd : ByChannelMetric;

    public override DocumentQuery PageQuery => new()
    {
        Filters =
        [
            FieldFilter.Eq("channelId", ChannelId),
            .. Metric is null ? [] : new[] { FieldFilter.Eq("metric", Metric) },
            .. Period is null ? [] : new[] { FieldFilter.Eq("period", Period) },
            .. Range("endTime", Since, Until),
        ],
        Sort = new SortField("endTime", FieldKind.String),
        Limit = Limit,
        Cursor = Cursor,
    };
}
