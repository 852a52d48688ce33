using Microsoft.Extensions.Logging;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Naming;
using OrleansSocial.Grains.Tenancy.Rules;
using OrleansSocial.Tenancy;
using OrleansSocial.ReadModels;
using OrleansSocial.ReadModels.Catalog;

namespace OrleansSocial.Grains.Tenancy;

/// <summary>Members and their keys, under the rank rules of <see cref="MemberRules"/> and the input rules of <see cref="Rules.TenantInput"/>.</summary>
public sealed partial class TenantGrain
{
    public Task<MemberPage> ListMembers(string? cursor, int limit)
    {
        RequireTenant();
        var (items, after) = _members.Page(cursor is null ? null : TenantInput.DecodeMemberCursor(cursor), limit);
        return Task.FromResult(new MemberPage([.. items.Select(m => m.ToView())], after is null ? null : TenantInput.EncodeMemberCursor(after)));
    }

    public async Task<CreatedMember> AddMember(Actor actor, NewMember member)
    {
        var entry = RequireTenant();
        var acting = await RequirePermissionAsync(actor, Permissions.MembersManage, "member.added", member.Email ?? "");
        var email = TenantInput.Email(member.Email, "email");
        var (role, permissions) = TenantInput.Grant(member.Role, member.Permissions);
        await RequireAsync(acting, a => MemberRules.MayGrant(a, role, permissions), "member.added", email);
        await RequireAsync(acting, a => MemberRules.MayGrantApproval(a, role, permissions, new HashSet<string>(), Settings.FourEyes), "member.added", email);
        if (_members.HasEmail(email))
        {
            throw new DomainException(ProblemKind.Conflict, $"A member with email '{email}' already exists.");
        }

        if (entry.Limits.Members is { } max && _members.Count >= max)
        {
            await _audit!.WriteAsync(actor, "member.added", email, AuditLog.Denied, "plan limit members");
            throw new DomainException(ProblemKind.PlanLimit, $"The {entry.Plan} plan allows {max} members.", "members");
        }

        var created = await CreateMemberAsync(email, role, permissions);
        await _audit!.WriteAsync(actor, "member.added", created.MemberId, AuditLog.Success, $"role {role}{ApprovalGrant(role, permissions, new HashSet<string>(), actor)}");
        return created;
    }

    public async Task<MemberView> ChangeMember(Actor actor, string memberId, MemberChange change)
    {
        RequireTenant();
        var acting = await RequirePermissionAsync(actor, Permissions.MembersManage, "member.changed", memberId);
        var member = RequireMember(memberId);
        await RequireAsync(acting, a => MemberRules.MayManage(a, Rules(member)), "member.changed", memberId);
        var (role, permissions) = TenantInput.Grant(change.Role ?? member.Role, change.Permissions ?? member.Permissions);
        await RequireAsync(acting, a => MemberRules.MayGrant(a, role, permissions), "member.changed", memberId);
        var heldBefore = Roles.Effective(member.Role, member.Permissions);
        await RequireAsync(acting, a => MemberRules.MayGrantApproval(a, role, permissions, heldBefore, Settings.FourEyes), "member.changed", memberId);
        if (member.Role == Roles.Owner && role != Roles.Owner && _members.Owners == 1)
        {
            throw new DomainException(ProblemKind.Conflict, "The last owner cannot be demoted; make another member owner first.");
        }

        var changed = member with { Role = role, Permissions = permissions };
        await SaveMemberAsync(changed);
        await _audit!.WriteAsync(actor, "member.changed", memberId, AuditLog.Success, $"role {role}{ApprovalGrant(role, permissions, heldBefore, actor)}");
        return changed.ToView();
    }

    public async Task RemoveMember(Actor actor, string memberId)
    {
        RequireTenant();
        var acting = await RequirePermissionAsync(actor, Permissions.MembersManage, "member.removed", memberId);
        var member = RequireMember(memberId);
        await RequireAsync(acting, a => MemberRules.MayManage(a, Rules(member)), "member.removed", memberId);
        if (member.Role == Roles.Owner && _members.Owners == 1)
        {
            throw new DomainException(ProblemKind.Conflict, "The last owner cannot be removed; make another member owner first.");
        }

        await MembersCollection.DeleteAsync(memberId, CancellationToken.None);
        _members.Remove(member);
        await _audit!.WriteAsync(actor, "member.removed", memberId, AuditLog.Success, $"{member.Keys.Count} keys revoked");
    }

    public async Task<CreatedKey> CreateKey(Actor actor, string memberId)
    {
        RequireTenant();
        var member = RequireMember(memberId);
        // The operator's recovery route is the only way to mint a key for somebody else.
        if (!actor.IsOperator)
        {
            var acting = RequireActing(actor);
            await RequireAsync(acting, a => MemberRules.MayMintKey(a, memberId), "key.created", memberId);
        }

        if (member.Keys.Count >= MaxKeysPerMember)
        {
            throw new DomainException(ProblemKind.Conflict, $"A member holds at most {MaxKeysPerMember} keys; revoke one first.");
        }

        var issued = ApiKeys.Issue(TenantId);
        await SaveMemberAsync(member with { Keys = [.. member.Keys, new KeyDocument(issued.KeyId, issued.Hash, time.GetUtcNow())] });
        await _audit!.WriteAsync(actor, "key.created", $"{memberId}/{issued.KeyId}", AuditLog.Success, actor.IsOperator ? "recovery by the operator" : "rotation");
        return new CreatedKey(issued.KeyId, issued.Key);
    }

    public async Task RevokeKey(Actor actor, string memberId, string keyId)
    {
        RequireTenant();
        var member = RequireMember(memberId);
        if (!actor.IsOperator)
        {
            var acting = RequireActing(actor);
            await RequireAsync(acting, a => MemberRules.MayRevokeKey(a, Rules(member)), "key.revoked", $"{memberId}/{keyId}");
        }

        if (member.Keys.All(k => k.KeyId != keyId))
        {
            throw DomainException.NotFound("key", $"Member '{memberId}' has no key '{keyId}'.");
        }

        await SaveMemberAsync(member with { Keys = member.Keys.Where(k => k.KeyId != keyId).ToList() });
        await _audit!.WriteAsync(actor, "key.revoked", $"{memberId}/{keyId}", AuditLog.Success);
    }

    /// <summary>An approval right granted is named in the audit with who granted it, so a reviewer sees both ends.</summary>
    private static string ApprovalGrant(string role, IReadOnlyList<string> permissions, IReadOnlySet<string> heldBefore, Actor grantor) =>
        Roles.Effective(role, permissions).Contains(Permissions.PostsApprove) && !heldBefore.Contains(Permissions.PostsApprove)
            ? $"; {Permissions.PostsApprove} granted by {grantor}"
            : "";

    private async Task<CreatedMember> CreateMemberAsync(string email, string role, IReadOnlyList<string> permissions)
    {
        var (member, created) = NewMember(email, role, permissions);
        await SaveMemberAsync(member);
        return created;
    }

    /// <summary>A member with a first key: the document to store, and what its creator is shown once (the key itself).</summary>
    private (MemberDocument Document, CreatedMember Created) NewMember(string email, string role, IReadOnlyList<string> permissions)
    {
        var issued = ApiKeys.Issue(TenantId);
        var now = time.GetUtcNow();
        var member = new MemberDocument("m" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8)),
            email, role, permissions, [new KeyDocument(issued.KeyId, issued.Hash, now)], now);
        return (member, new CreatedMember(member.MemberId, new CreatedKey(issued.KeyId, issued.Key)));
    }

    private async Task SaveMemberAsync(MemberDocument member)
    {
        await MembersCollection.UpsertAsync(member.MemberId, DocumentJson.ToJson(member), CancellationToken.None);
        _members.Put(member);
    }

    public Task<bool> HasMember(string memberId) => Task.FromResult(Entry is not null && _members.TryGet(memberId, out _));
}
