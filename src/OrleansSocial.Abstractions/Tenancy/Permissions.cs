namespace OrleansSocial.Tenancy;

/// <summary>The permission names of the REST contract.</summary>
public static class Permissions
{
    public const string TenantManage = "tenant:manage";
    public const string MembersManage = "members:manage";
    public const string ChannelsManage = "channels:manage";
    public const string ChannelsRead = "channels:read";
    public const string SyncTrigger = "sync:trigger";
    public const string PostsWrite = "posts:write";
    public const string PostsApprove = "posts:approve";
    public const string PostsPublish = "posts:publish";
    public const string AnalyticsRead = "analytics:read";
    public const string AuditRead = "audit:read";
    public const string InboxRead = "inbox:read";
    public const string InboxReply = "inbox:reply";
    public const string InboxModerate = "inbox:moderate";

    public static readonly IReadOnlyList<string> All =
    [
        TenantManage, MembersManage, ChannelsManage, ChannelsRead, SyncTrigger,
        PostsWrite, PostsApprove, PostsPublish, AnalyticsRead, AuditRead, InboxRead, InboxReply, InboxModerate,
    ];

    public static bool IsKnown(string permission) => All.Contains(permission, StringComparer.Ordinal);
}

/// <summary>Built-in roles and the permissions each grants.</summary>
public static class Roles
{
    public const string Owner = "owner";
    public const string Admin = "admin";
    public const string Editor = "editor";
    public const string Analyst = "analyst";
    public const string Viewer = "viewer";

    private static readonly Dictionary<string, IReadOnlySet<string>> Grants = new(StringComparer.Ordinal)
    {
        [Owner] = Permissions.All.ToHashSet(),
        [Admin] = Permissions.All.Where(p => p != Permissions.TenantManage).ToHashSet(),
        [Editor] = new HashSet<string>
        {
            Permissions.ChannelsRead, Permissions.PostsWrite, Permissions.SyncTrigger, Permissions.AnalyticsRead, Permissions.InboxRead, Permissions.InboxReply,
        },
        [Analyst] = new HashSet<string> { Permissions.ChannelsRead, Permissions.AnalyticsRead, Permissions.InboxRead },
        [Viewer] = new HashSet<string> { Permissions.ChannelsRead },
    };

    public static IReadOnlyCollection<string> All => Grants.Keys;

    public static bool IsKnown(string role) => Grants.ContainsKey(role);

    /// <summary>The role's permissions plus the member's extra ones.</summary>
    public static IReadOnlySet<string> Effective(string role, IEnumerable<string> extra) =>
        Grants.TryGetValue(role, out var granted) ? granted.Union(extra).ToHashSet() : extra.ToHashSet();
}
