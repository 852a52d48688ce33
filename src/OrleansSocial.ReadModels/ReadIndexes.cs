using OrleansSocial.ReadModels.Lists;
using OrleansSocial.ReadModels.Posts;
using OrleansSocial.Storage.Documents;

namespace OrleansSocial.ReadModels;

/// <summary>
/// Every index of a tenant database that a read needs, one per list query (and the overview's), so
/// each list costs a page. Created at provisioning; a tenant whose recorded layout is older than
/// <see cref="Version"/> gets the missing ones at its next activation.
/// </summary>
public static class ReadIndexes
{
    /// <summary>1: the calendar; 2: every list query's index; 3: the inbox; 4: anomalies.</summary>
    public const int Version = 4;

    /// <summary>The overview sums one metric across all channels of a range.</summary>
    public static readonly IndexDefinition InsightsByMetric = new("metric_end", [new IndexField("metric", FieldKind.String), new IndexField("endTime", FieldKind.String)]);

    public static readonly IReadOnlyList<(string Collection, IndexDefinition Index)> Tenant =
    [
        (Collections.SyncRuns, SyncRunsQuery.ByChannel),
        (Collections.Posts, SyncedPostsQuery.ByChannel),
        (Collections.Comments, CommentsQuery.ByPost),
        (Collections.Insights, InsightsQuery.ByChannelMetric),
        (Collections.Insights, InsightsQuery.ByChannelEnd),
        (Collections.Insights, InsightsByMetric),
        (Collections.WebhookDeliveries, DeliveriesQuery.ByWebhook),
        (Collections.WebhookDeliveries, DeliveriesQuery.PendingByWebhook),
        .. PostCalendar.Indexes,
        .. Inbox.InboxQuery.Indexes,
        (Collections.Anomalies, AnomaliesQuery.ByChannel),
    ];
}
