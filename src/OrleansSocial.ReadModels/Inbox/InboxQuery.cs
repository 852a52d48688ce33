using OrleansSocial.Inbox;
using OrleansSocial.ReadModels.Lists;
using OrleansSocial.Storage.Documents;

namespace OrleansSocial.ReadModels.Inbox;

/// <summary>
/// The inbox: a tenant's conversations, latest activity first, optionally of one status, channel or
/// assignee. A conversation document carries <c>status</c>, <c>channelId</c>, <c>assigneeId</c> and
/// <c>activityAt</c> at the top level; the index is chosen by the most selective filter given
/// (channel, then assignee, then status) and the other filters narrow its pages.
/// </summary>
public sealed record InboxQuery(string? Status, string? ChannelId, string? AssigneeId, int Limit, string? Cursor) : ListQuery<ConversationView>(Limit, Cursor)
{
    public const string ActivityField = "activityAt";

    public static readonly IndexDefinition ByActivity = new("inbox_activity", [new IndexField(ActivityField, FieldKind.String, Descending: true)]);

    public static readonly IndexDefinition ByStatus = new("inbox_status", [new IndexField("status", FieldKind.String), new IndexField(ActivityField, FieldKind.String, Descending: true)]);

    public static readonly IndexDefinition ByChannel = new("inbox_channel", [new IndexField("channelId", FieldKind.String), new IndexField(ActivityField, FieldKind.String, Descending: true)]);

    public static readonly IndexDefinition ByAssignee = new("inbox_assignee", [new IndexField("assigneeId", FieldKind.String), new IndexField(ActivityField, FieldKind.String, Descending: true)]);

    public static readonly IReadOnlyList<(string Collection, IndexDefinition Index)> Indexes =
    [
        (Collections.Conversations, ByActivity),
        (Collections.Conversations, ByStatus),
        (Collections.Conversations, ByChannel),
        (Collections.Conversations, ByAssignee),
    ];

    public override string Collection => Collections.Conversations;

    public override IndexDefinition Index => ChannelId is not null ? ByChannel : AssigneeId is not null ? ByAssignee : Status is not null ? ByStatus : ByActivity;

    public override DocumentQuery PageQuery => new()
    {
        Filters =
        [
            .. ChannelId is null ? [] : new[] { FieldFilter.Eq("channelId", ChannelId) },
            .. AssigneeId is null ? [] : new[] { FieldFilter.Eq("assigneeId", AssigneeId) },
            .. Status is null ? [] : new[] { FieldFilter.Eq("status", Status) },
        ],
        Sort = new SortField(ActivityField, FieldKind.String, Descending: true),
        Limit = Limit,
        Cursor = Cursor,
    };

    /// <summary>A list row leaves the replies out: the page's cost stays a page of conversations.</summary>
    protected override ConversationView? Read(StoredDocument document) =>
        DocumentJson.TryRead<ConversationView>(document.Body) is { } view ? view with { Replies = [] } : null;
}

/// <summary>An entry of the catalog's account directory: a tenant's channel that holds a platform account.</summary>
public sealed record AccountChannel(string AccountId, string? PageId, string TenantId, string ChannelId)
{
    public static readonly IndexDefinition ByAccount = new("by_account", [new IndexField("accountId", FieldKind.String)]);

    public static readonly IndexDefinition ByPage = new("by_page", [new IndexField("pageId", FieldKind.String)]);

    public static readonly IndexDefinition ByTenant = new("by_tenant", [new IndexField("tenantId", FieldKind.String)]);

    public string Id => $"{AccountId}|{TenantId}|{ChannelId}";
}
