using Orleans.Concurrency;

namespace OrleansSocial.Tenancy;

/// <summary>
/// One tenant (key: tenant id): its record, plan and limits, members, roles, key hashes and
/// usage. The one place that answers "may this key do this on this tenant". Member data and
/// the audit log live in the tenant's own database; the record lives in the catalog.
/// </summary>
[Alias("OrleansSocial.ITenantGrain")]
public interface ITenantGrain : IGrainWithStringKey
{
    [Alias("Provision")]
    Task<ProvisionedTenant> Provision(ProvisionTenant command);

    /// <summary>Null when no such tenant exists.</summary>
    [Alias("Get")]
    Task<TenantView?> Get();

    /// <summary>
    /// Status and time zone, from memory: what a channel's schedule tick needs. Interleaves, because
    /// the tenant grain may itself be waiting on that channel (while deleting the tenant).
    /// </summary>
    [Alias("Standing"), AlwaysInterleave]
    Task<TenantStanding?> Standing();

    /// <summary>Checks the key and, when given, one permission. Never throws for a bad key.</summary>
    [Alias("Authorize")]
    Task<AccessDecision> Authorize(string apiKey, string? permission);

    /// <summary>
    /// <see cref="Authorize"/> for any member, with the tenant as <see cref="Get"/> shows it when
    /// allowed: GET /api/tenant in one grain call instead of two.
    /// </summary>
    [Alias("AuthorizeForView")]
    Task<AccessDecision> AuthorizeForView(string apiKey);

    /// <summary>
    /// <see cref="Authorize"/> (or <see cref="AuthorizeForView"/> with <paramref name="withView"/>)
    /// for a silo that keeps the answer: <paramref name="cache"/> is told to forget this tenant on
    /// every change until its subscription lapses (<see cref="TenantAccessWatch.Lease"/>).
    /// </summary>
    [Alias("AuthorizeWatched")]
    Task<AccessDecision> AuthorizeWatched(string apiKey, bool withView, ITenantAccessObserver cache);

    [Alias("Change")]
    Task<TenantView> Change(Actor actor, TenantChange change);

    [Alias("ChangeSettings")]
    Task<TenantView> ChangeSettings(Actor actor, SettingsChange change);

    [Alias("Suspend")]
    Task<TenantView> Suspend(Actor actor, string reason);

    [Alias("Activate")]
    Task<TenantView> Activate(Actor actor);

    /// <summary>Drops the tenant's database and every trace of it.</summary>
    [Alias("Delete")]
    Task Delete(Actor actor);

    [Alias("ListMembers")]
    Task<MemberPage> ListMembers(string? cursor, int limit);

    [Alias("AddMember")]
    Task<CreatedMember> AddMember(Actor actor, NewMember member);

    [Alias("ChangeMember")]
    Task<MemberView> ChangeMember(Actor actor, string memberId, MemberChange change);

    [Alias("RemoveMember")]
    Task RemoveMember(Actor actor, string memberId);

    /// <summary>Allowed to members with members:manage and to the member itself.</summary>
    [Alias("CreateKey")]
    Task<CreatedKey> CreateKey(Actor actor, string memberId);

    [Alias("RevokeKey")]
    Task RevokeKey(Actor actor, string memberId, string keyId);

    /// <summary>An audit entry written on behalf of another part of the tenant (channels, posts).</summary>
    [Alias("RecordAudit")]
    Task RecordAudit(Actor actor, string action, string target, string outcome, string? detail);

    /// <summary>
    /// Admits channels about to be connected against the plan's channel limit, in this grain's
    /// turn, so concurrent connects cannot together exceed it. Ids already connected cost nothing;
    /// admitted ids count until they exist (or a minute passes). Refused with PlanLimit, audited.
    /// </summary>
    [Alias("AdmitChannels")]
    Task AdmitChannels(Actor actor, IReadOnlyList<string> channelIds);

    /// <summary>
    /// The post id for a create request: a new one, or the one an earlier request with the same
    /// idempotency key got (then <c>Replay</c>); the same key with another body is 422.
    /// </summary>
    [Alias("ReservePost")]
    Task<(string PostId, bool Replay)> ReservePost(string? idempotencyKey, string bodyHash);

    /// <summary>The post an earlier create with this idempotency key made, and its body's hash; null when the key is new.</summary>
    [Alias("FindReservedPost")]
    Task<(string PostId, string BodyHash)?> FindReservedPost(string idempotencyKey);

    /// <summary>
    /// Counts a post against the plan's scheduled posts of the month it publishes in (<paramref name="scheduledAt"/>),
    /// in this grain's turn; PlanLimit past it. Idempotent per post. When the post was counted in another month
    /// (<paramref name="countedAt"/>: its earlier time), it moves there from that month once admitted.
    /// </summary>
    [Alias("AdmitScheduledPost")]
    Task AdmitScheduledPost(Actor actor, string postId, DateTimeOffset scheduledAt, DateTimeOffset? countedAt = null);

    /// <summary>
    /// Admits a new webhook endpoint against the per-tenant cap, in this grain's turn so concurrent
    /// registrations cannot pass it together; PlanLimit (subject <c>webhooks</c>) when the tenant has <paramref name="max"/>.
    /// </summary>
    [Alias("AdmitWebhook")]
    Task AdmitWebhook(string webhookId, int max);

    /// <summary>
    /// False only when the tenant has no webhook endpoint, none being created (or no longer exists):
    /// an event announced then is owed to nobody. Answered from memory after the first ask.
    /// </summary>
    [Alias("MayHaveWebhookEndpoints")]
    Task<bool> MayHaveWebhookEndpoints();

    /// <summary>
    /// Admits a new draft against the plan's <c>draftPosts</c>, in this grain's turn (concurrent creations
    /// cannot pass it together); PlanLimit (subject <c>draftPosts</c>) when the tenant stores that many drafts.
    /// </summary>
    [Alias("AdmitDraft")]
    Task AdmitDraft(Actor actor, string postId);

    /// <summary>
    /// A channel was connected or disconnected: the cached channel count is stale. One-way, so
    /// a channel grain can say it while the tenant grain is itself calling channel grains.
    /// </summary>
    [Alias("ChannelsChanged"), OneWay]
    Task ChannelsChanged();

    /// <summary>Whether a member by this id belongs to the tenant (an inbox assignee must).</summary>
    [Alias("HasMember")]
    Task<bool> HasMember(string memberId);

    [Alias("ReadAudit")]
    Task<AuditPage> ReadAudit(string? cursor, int limit);
}
