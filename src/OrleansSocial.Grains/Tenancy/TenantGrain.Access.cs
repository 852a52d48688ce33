using Microsoft.Extensions.Logging;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Naming;
using OrleansSocial.Grains.Tenancy.Rules;
using OrleansSocial.Tenancy;
using OrleansSocial.ReadModels;
using OrleansSocial.ReadModels.Catalog;

namespace OrleansSocial.Grains.Tenancy;

/// <summary>Who may do what: key authentication, permissions (deny by default, refusals audited), channel admission against the plan.</summary>
public sealed partial class TenantGrain
{
    // Channels admitted but not yet written by their channel grain, with when they were admitted.
    private readonly Dictionary<string, DateTimeOffset> _admitted = new(StringComparer.Ordinal);
    private static readonly TimeSpan AdmissionHold = TimeSpan.FromMinutes(1);

    public async Task AdmitChannels(Actor actor, IReadOnlyList<string> channelIds)
    {
        RequireTenant();
        var channels = _database!.GetCollection(Collections.Channels);
        var now = time.GetUtcNow();
        foreach (var (id, at) in _admitted.ToList())
        {
            if (now - at > AdmissionHold || await channels.GetAsync(id, CancellationToken.None) is not null)
            {
                _admitted.Remove(id);
            }
        }

        var fresh = new List<string>();
        foreach (var id in channelIds.Distinct(StringComparer.Ordinal))
        {
            if (!_admitted.ContainsKey(id) && await channels.GetAsync(id, CancellationToken.None) is null)
            {
                fresh.Add(id);
            }
        }

        var existing = (int)await channels.CountAsync([], CancellationToken.None) + _admitted.Count;
        if (Entry!.Limits.Channels is { } max && existing + fresh.Count > max)
        {
            await _audit!.WriteAsync(actor, "channel.connected", string.Join(",", channelIds), "denied", $"plan limit channels ({existing} + {fresh.Count} > {max})");
            throw new DomainException(ProblemKind.PlanLimit, $"This plan allows {max} channels; connecting these accounts would make {existing + fresh.Count}.", "channels");
        }

        foreach (var id in fresh)
        {
            _admitted[id] = now;
        }
    }

    public async Task RecordAudit(Actor actor, string action, string target, string outcome, string? detail)
    {
        RequireTenant();
        await _audit!.WriteAsync(actor, action, target, outcome, detail);
    }

    public async Task<AccessDecision> Authorize(string apiKey, string? permission)
    {
        if (Entry is null)
        {
            DeactivateOnIdle();
            return AccessDecision.Deny(AccessOutcome.UnknownTenant);
        }

        if (_members.Authenticate(TenantId, apiKey) is not { } member)
        {
            return AccessDecision.Deny(AccessOutcome.InvalidKey);
        }

        if (Entry.Status == TenantStatus.Suspended)
        {
            return AccessDecision.Deny(AccessOutcome.Suspended);
        }

        if (permission is not null && !Roles.Effective(member.Role, member.Permissions).Contains(permission))
        {
            await _audit!.WriteAsync(new Actor(member.MemberId), "access.denied", permission, AuditLog.Denied, $"missing permission {permission}");
            return AccessDecision.Deny(AccessOutcome.MissingPermission, permission);
        }

        return new AccessDecision(AccessOutcome.Allowed, member.MemberId, Entry.Plan, Entry.Limits, null,
            [.. Roles.Effective(member.Role, member.Permissions).Order(StringComparer.Ordinal)]);
    }

    public async Task<AccessDecision> AuthorizeForView(string apiKey)
    {
        var decision = await Authorize(apiKey, null);
        return decision.Outcome == AccessOutcome.Allowed ? decision with { View = await ViewAsync() } : decision;
    }

    private static void RequireOperator(Actor actor)
    {
        if (!actor.IsOperator)
        {
            throw new DomainException(ProblemKind.Forbidden, "Only the operator may do this.");
        }
    }

    /// <summary>Deny by default: the acting member must exist here and hold the permission.</summary>
    private async Task<MemberDocument?> RequirePermissionAsync(Actor actor, string permission, string action, string target)
    {
        if (actor.IsOperator)
        {
            return null;
        }

        if (_members.TryGet(actor.MemberId!, out var acting) && Roles.Effective(acting.Role, acting.Permissions).Contains(permission))
        {
            return acting;
        }

        await _audit!.WriteAsync(actor, action, target, AuditLog.Denied, $"missing permission {permission}");
        throw new DomainException(ProblemKind.Forbidden, $"This needs the '{permission}' permission.", permission);
    }

    private MemberDocument RequireActing(Actor actor) =>
        actor.MemberId is { } id && _members.TryGet(id, out var acting)
            ? acting
            : throw new DomainException(ProblemKind.Forbidden, "The acting member no longer exists.");

    private static MemberRules.Member Rules(MemberDocument member) => new(member.MemberId, member.Role, member.Permissions);

    /// <summary>Asks one of <see cref="MemberRules"/>; a refusal is audited and becomes 403. The operator passes.</summary>
    private async Task RequireAsync(MemberDocument? acting, Func<MemberRules.Member, MemberRules.Refusal?> rule, string action, string target)
    {
        if (acting is null || rule(Rules(acting)) is not { } refusal)
        {
            return;
        }

        await _audit!.WriteAsync(new Actor(acting.MemberId), action, target, AuditLog.Denied, refusal.Detail);
        throw new DomainException(ProblemKind.Forbidden, refusal.Detail, refusal.Permission);
    }
}
