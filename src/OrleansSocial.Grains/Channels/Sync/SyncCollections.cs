using OrleansSocial.Storage.Documents;

namespace OrleansSocial.Grains.Channels.Sync;

/// <summary>Where a sync writes, in the tenant's own database, and the indexes its reads use (created at provisioning).</summary>
public static class SyncCollections
{
    public const string Profiles = "profiles";
    public const string Posts = "posts";
    public const string Comments = "comments";
    public const string Insights = "insights";
    public const string SyncRuns = "sync_runs";

    /// <summary>Everything keyed to a channel: deleted with it.</summary>
    public static readonly IReadOnlyList<string> OwnedByChannel = [Profiles, Posts, Comments, Insights, SyncRuns];

    public static readonly IReadOnlyList<(string Collection, IndexDefinition Index)> Indexes =
    [
        (Posts, new IndexDefinition("channel_created", [new IndexField("channelId", FieldKind.String), new IndexField("createdAt", FieldKind.String, Descending: true)])),
        (Comments, new IndexDefinition("post_created", [new IndexField("postId", FieldKind.String), new IndexField("createdAt", FieldKind.String)])),
        (Insights, new IndexDefinition("channel_metric", [new IndexField("channelId", FieldKind.String), new IndexField("metric", FieldKind.String), new IndexField("endTime", FieldKind.String)])),
        (SyncRuns, new IndexDefinition("channel_started", [new IndexField("channelId", FieldKind.String), new IndexField("startedAt", FieldKind.String, Descending: true)])),
    ];
}
