namespace OrleansSocial.GraphEmulator.World;

public sealed record User(int Index, string Id, string Name);

public sealed record Page(int Index, string Id, string Name, string Username, string Category, int FanCount, int FollowersCount, string OwnerUserId, string InstagramId);

/// <summary>An Instagram professional account; <see cref="PageId"/> is null for one that connects with Instagram Login and has no Page.</summary>
public sealed record InstagramAccount(int Index, string Id, string? PageId, string Username, string Name, string Biography, int FollowersCount, int FollowsCount);

public sealed record Post(string Id, string PageId, string Message, DateTimeOffset CreatedTime, int Shares, int BaseReactions, bool Published, DateTimeOffset? ScheduledPublishTime);

/// <summary>
/// A comment on a Page post or Instagram medium (<see cref="ObjectId"/>); a reply names its top-level
/// comment in <see cref="ParentId"/>. Hidden comments stay readable by moderators; deleted ones are gone.
/// </summary>
public sealed record Comment(string Id, string ObjectId, string Message, DateTimeOffset CreatedTime, string FromId, string FromName, int LikeCount,
    string? ParentId = null, bool Hidden = false, bool Deleted = false);

public sealed record Media(string Id, string AccountId, string Caption, string MediaType, DateTimeOffset Timestamp, int BaseLikes, bool Story = false);

public sealed record Container(string Id, string AccountId, string? ImageUrl, string? VideoUrl, string? Caption, DateTimeOffset CreatedAt, string? PublishedMediaId,
    bool IsCarouselItem = false, IReadOnlyList<string>? Children = null, bool IsStory = false);

/// <summary>A photo uploaded with <c>published=false</c>, waiting to be attached to a Page post.</summary>
public sealed record UnpublishedPhoto(string Id, string PageId, string Url);

/// <summary>
/// Something a client published through the emulator (a Page post or an Instagram media), as tests
/// and benchmarks count it: who owns it, what it says and how many media items it carries.
/// </summary>
public sealed record Publication(string ObjectId, string OwnerId, string Kind, string Message, string? Link, int Items, DateTimeOffset CreatedAt);
