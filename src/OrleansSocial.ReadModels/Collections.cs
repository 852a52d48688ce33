using OrleansSocial.Storage.Documents;

namespace OrleansSocial.ReadModels;

/// <summary>The collections of the catalog and of every tenant database (their indexes: <see cref="ReadIndexes"/>).</summary>
public static class Collections
{
    /// <summary>Catalog: one <see cref="Catalog.CatalogEntry"/> per tenant.</summary>
    public const string Tenants = "tenants";

    /// <summary>Catalog: Meta's webhook notifications as they arrived, until every tenant they name has them.</summary>
    public const string MetaEvents = "meta_events";

    /// <summary>Catalog: which tenants' channels hold a platform account (the webhook router's directory).</summary>
    public const string AccountChannels = "account_channels";

    /// <summary>Catalog: a row per channel, webhook endpoint and due publication, kept by their grains for the operator overview.</summary>
    public const string OperatorBoard = "operator_board";

    /// <summary>Catalog: each silo's last day of figures (syncs, publications, failed authentications), as it last published them.</summary>
    public const string SiloFigures = "silo_figures";

    public const string Members = "members";
    public const string Settings = "settings";
    public const string Audit = "audit";

    /// <summary>One record per connected account, written by its channel grain.</summary>
    public const string Channels = "channels";

    public const string Profiles = "profiles";
    public const string Posts = "posts";
    public const string Comments = "comments";
    public const string Insights = "insights";
    public const string SyncRuns = "sync_runs";

    /// <summary>Posts composed in the product, one <see cref="OrleansSocial.Posts.PostView"/> each (not the synced <see cref="Posts"/>).</summary>
    public const string PlannedPosts = "planned_posts";

    /// <summary>One row per (post, channel) it goes to: what the calendar's channel filter pages over (see <c>Posts.PostCalendar</c>).</summary>
    public const string PostChannels = "post_channels";

    /// <summary>Idempotency keys of post creation: key → post id and body hash.</summary>
    public const string PostKeys = "post_keys";

    /// <summary>Scheduled posts counted against the plan, one document per month.</summary>
    public const string PostQuota = "post_quota";

    /// <summary>Publishing attempts, written before every Graph write: what to read back after an unknown outcome.</summary>
    public const string PublicationAttempts = "publication_attempts";

    /// <summary>A tenant's webhook endpoints, the secret only as ciphertext.</summary>
    public const string Webhooks = "webhooks";

    /// <summary>Every event's delivery to every endpoint subscribed to it: the outbox the endpoints work through, and their log.</summary>
    public const string WebhookDeliveries = "webhook_deliveries";

    /// <summary>Days of a channel's key series far outside their baseline (<see cref="Analytics.AnomalyRecord"/>), one each, newest first by <c>day</c>.</summary>
    public const string Anomalies = "anomalies";

    /// <summary>One per channel (<see cref="Analytics.ChannelInsightsRecord"/>): its best-times tally and recent key series, kept by its syncs.</summary>
    public const string ChannelInsights = "channel_insights";

    /// <summary>The inbox: one document per top-level comment with its replies (see <c>Inbox.InboxQuery</c>).</summary>
    public const string Conversations = "conversations";

    /// <summary>Every collection a tenant database can hold: created before a move freezes it, so none can appear unfrozen.</summary>
    public static readonly IReadOnlyList<string> InTenantDatabase =
    [
        Members, Settings, Audit, Channels, Profiles, Posts, Comments, Insights, SyncRuns,
        PlannedPosts, PostChannels, PostKeys, PostQuota, PublicationAttempts, Webhooks, WebhookDeliveries, Conversations,
    ];

    /// <summary>Everything keyed to a channel: deleted with it.</summary>
    public static readonly IReadOnlyList<string> OwnedByChannel = [Profiles, Posts, Comments, Insights, SyncRuns, Conversations, ChannelInsights, Anomalies];
}
