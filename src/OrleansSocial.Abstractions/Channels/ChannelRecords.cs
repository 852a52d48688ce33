namespace OrleansSocial.Channels;

[GenerateSerializer, Alias("OrleansSocial.ChannelStatus")]
public enum ChannelStatus
{
    Active,
    NeedsReauth,
    Paused,
}

/// <summary>
/// How an account was connected, which decides the Graph host its token belongs to: Facebook Login
/// (graph.facebook.com; Pages and the Instagram accounts linked to them) or Instagram Login
/// (graph.instagram.com; an Instagram professional account without a Page).
/// </summary>
public static class ChannelLogins
{
    public const string Facebook = "facebook";
    public const string Instagram = "instagram";

    /// <summary>Records written before Instagram Login existed carry none: they are Facebook Login.</summary>
    public static string Of(string? login) => login == Instagram ? Instagram : Facebook;
}

/// <summary>What connecting an account hands the channel grain. The token is encrypted before it is stored.</summary>
[GenerateSerializer, Immutable, Alias("OrleansSocial.ChannelConnection")]
public sealed record ChannelConnection(
    [property: Id(0)] string Platform,
    [property: Id(1)] string ExternalId,
    [property: Id(2)] string Name,
    [property: Id(3)] string AccessToken,
    [property: Id(4)] DateTimeOffset? TokenExpiresAt,
    [property: Id(5)] string? PageId = null,
    [property: Id(6)] string Login = ChannelLogins.Facebook)
{
    public override string ToString() => $"ChannelConnection {{ Platform = {Platform}, ExternalId = {ExternalId}, Name = {Name}, Login = {Login} }}";
}

/// <summary>
/// Whether a channel may publish now, and the token to do it with. Travels only between grains;
/// its text form never shows the token.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansSocial.PublishingAccess")]
public sealed record PublishingAccess(
    [property: Id(0)] bool Exists,
    [property: Id(1)] ChannelStatus Status,
    [property: Id(2)] string Platform,
    [property: Id(3)] string ExternalId,
    [property: Id(4)] string? Token,
    [property: Id(5)] string Login = ChannelLogins.Facebook)
{
    public static readonly PublishingAccess Missing = new(false, ChannelStatus.Paused, "", "", null);

    public override string ToString() => $"PublishingAccess {{ Exists = {Exists}, Status = {Status}, Platform = {Platform}, ExternalId = {ExternalId}, Login = {Login} }}";
}

/// <summary>A channel as members see it: never a token.</summary>
[GenerateSerializer, Immutable, Alias("OrleansSocial.ChannelView")]
public sealed record ChannelView(
    [property: Id(0)] string ChannelId,
    [property: Id(1)] string Platform,
    [property: Id(2)] string ExternalId,
    [property: Id(3)] string Name,
    [property: Id(4)] ChannelStatus Status,
    [property: Id(5)] DateTimeOffset? TokenExpiresAt,
    [property: Id(6)] DateTimeOffset ConnectedAt,
    [property: Id(7)] DateTimeOffset UpdatedAt,
    [property: Id(8)] bool TokenExpiringSoon,
    [property: Id(9)] DateTimeOffset? TokenCheckedAt,
    [property: Id(10)] IReadOnlyList<SyncKindView> Sync,
    [property: Id(11)] string Login = ChannelLogins.Facebook,
    [property: Id(12)] DateTimeOffset? TokenIssuedAt = null);

/// <summary>The schedule of one sync kind: when it last ran and how, and when it is next due.</summary>
[GenerateSerializer, Immutable, Alias("OrleansSocial.SyncKindView")]
public sealed record SyncKindView(
    [property: Id(0)] string Kind,
    [property: Id(1)] DateTimeOffset? LastSyncAt,
    [property: Id(2)] string? LastStatus,
    [property: Id(3)] DateTimeOffset? NextSyncAt);

public static class SyncKinds
{
    public const string Daily = "daily";
    public const string Weekly = "weekly";
    public const string Monthly = "monthly";

    public static readonly IReadOnlyList<string> All = [Daily, Weekly, Monthly];
}

/// <summary>Who started a sync run.</summary>
public static class SyncTriggers
{
    public const string Manual = "manual";
    public const string Scheduled = "scheduled";

    public static readonly IReadOnlyList<string> All = [Manual, Scheduled];
}

public static partial class ChannelIds
{
    public const string Facebook = "facebook";
    public const string Instagram = "instagram";

    /// <summary>Shaped like a channel id (checked before an id becomes part of a grain key).</summary>
    public static bool IsValid(string channelId) => Shape().IsMatch(channelId);

    [System.Text.RegularExpressions.GeneratedRegex(@"\A(fb|ig)-[0-9]{1,30}\z", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex Shape();

    /// <summary>Deterministic from the account, so reconnecting updates instead of duplicating.</summary>
    public static string For(string platform, string externalId) => (platform == Facebook ? "fb-" : "ig-") + externalId;

    /// <summary>Channel grains are keyed by tenant and channel together.</summary>
    public static string GrainKey(string tenantId, string channelId) => $"{tenantId}/{channelId}";
}

/// <summary>
/// One connected Facebook Page or Instagram business account (key: <c>{tenantId}/{channelId}</c>).
/// Holds its tokens encrypted at rest; writes only into its tenant's database.
/// </summary>
[Alias("OrleansSocial.IChannelGrain")]
public interface IChannelGrain : IGrainWithStringKey
{
    /// <summary>Creates the channel or, when it exists, refreshes its name and token and re-activates it.</summary>
    [Alias("Connect")]
    Task<ChannelView> Connect(ChannelConnection connection);

    /// <summary>Interleaves: a conversation grain asks it while the channel's own poll is feeding that conversation.</summary>
    [Alias("Get"), Orleans.Concurrency.AlwaysInterleave]
    Task<ChannelView?> Get();

    [Alias("SetPaused")]
    Task<ChannelView> SetPaused(bool paused);

    [Alias("Disconnect")]
    Task Disconnect();

    /// <summary>Starts a manual sync, or returns the run already going; refused with Throttled when the channel's budget is spent.</summary>
    [Alias("RequestSync")]
    Task<SyncRunView> RequestSync(SyncRequest request);

    /// <summary>Re-authorises the channel with a fresh token for the same account (from <c>PUT /token</c>).</summary>
    /// <summary>What publishing needs at the due time: whether the channel may publish and, when it may, its token.</summary>
    [Alias("OpenPublishing"), Orleans.Concurrency.AlwaysInterleave]
    Task<PublishingAccess> OpenPublishing();

    /// <summary>Graph refused the channel's token while publishing: the channel turns needs_reauth.</summary>
    [Alias("TokenRejected")]
    Task TokenRejected(int? code, int? subcode);

    [Alias("Reauthorize")]
    Task<ChannelView> Reauthorize(ChannelConnection connection);
}

[GenerateSerializer, Alias("OrleansSocial.SyncRunStatus")]
public enum SyncRunStatus
{
    Running,
    Succeeded,
    Failed,

    /// <summary>Paused by the rate budget; it resumes by itself at <see cref="SyncRunView.ResumeAt"/>.</summary>
    Waiting,
}

/// <summary>One sync of a channel: who started it, what it spent and wrote, how it ended.</summary>
[GenerateSerializer, Immutable, Alias("OrleansSocial.SyncRunView")]
public sealed record SyncRunView(
    [property: Id(0)] string SyncRunId,
    [property: Id(1)] string Trigger,
    [property: Id(2)] IReadOnlyList<string> Kinds,
    [property: Id(3)] DateTimeOffset StartedAt,
    [property: Id(4)] DateTimeOffset? FinishedAt,
    [property: Id(5)] SyncRunStatus Status,
    [property: Id(6)] int GraphCalls,
    [property: Id(7)] int ItemsWritten,
    [property: Id(8)] string? Error,
    [property: Id(9)] DateTimeOffset? ResumeAt = null);

/// <summary>A manual sync request. The channel grain looks the plan's manual-sync budget up itself: the front is not a source of limits.</summary>
[GenerateSerializer, Immutable, Alias("OrleansSocial.SyncRequest")]
public sealed record SyncRequest(
    [property: Id(0)] IReadOnlyList<string> Kinds);
