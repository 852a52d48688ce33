namespace OrleansSocial.Tenancy;

/// <summary>
/// Who may act on whom inside a tenant. Pure: the tenant grain asks, these answer. Rank is
/// owner &gt; admin &gt; everyone else; nobody changes, removes or revokes the keys of a member who
/// outranks them, nobody grants a role or permission they do not hold, and keys are minted only
/// for yourself (the operator's recovery route is the one exception, decided by the caller).
/// </summary>
public static class MemberRules
{
    /// <summary>The member acting: its id, role and extra permissions.</summary>
    public sealed record Member(string MemberId, string Role, IReadOnlyList<string> Permissions)
    {
        public IReadOnlySet<string> Effective => Roles.Effective(Role, Permissions);
    }

    /// <summary>Why an action is refused, in words a client can act on; null when it is allowed.</summary>
    public sealed record Refusal(string Detail, string? Permission = null);

    public static int Rank(string role) => role switch
    {
        Roles.Owner => 2,
        Roles.Admin => 1,
        _ => 0,
    };

    public static bool Outranks(string role, string other) => Rank(role) > Rank(other);

    /// <summary>Changing, removing, or revoking a key of <paramref name="target"/> (not yourself).</summary>
    public static Refusal? MayManage(Member actor, Member target)
    {
        if (!actor.Effective.Contains(Tenancy.Permissions.MembersManage))
        {
            return new Refusal($"This needs the '{Tenancy.Permissions.MembersManage}' permission.", Tenancy.Permissions.MembersManage);
        }

        return Outranks(target.Role, actor.Role)
            ? new Refusal($"Member '{target.MemberId}' is {Article(target.Role)} {target.Role} and outranks you ({actor.Role}).")
            : null;
    }

    /// <summary>Giving someone (or yourself) <paramref name="role"/> with <paramref name="permissions"/>.</summary>
    public static Refusal? MayGrant(Member actor, string role, IReadOnlyList<string> permissions)
    {
        var held = actor.Effective;
        var beyond = Roles.Effective(role, permissions).Where(p => !held.Contains(p)).Order(StringComparer.Ordinal).FirstOrDefault();
        if (beyond is not null)
        {
            return new Refusal($"Granting '{beyond}' needs the '{beyond}' permission.", beyond);
        }

        return Outranks(role, actor.Role)
            ? new Refusal($"Granting the '{role}' role needs that role; you are {Article(actor.Role)} {actor.Role}.", role)
            : null;
    }

    /// <summary>
    /// Under four eyes, approval is granted only by an owner: otherwise an admin could make a second
    /// member with <c>posts:approve</c> (or the admin role that carries it) and approve their own posts
    /// through it. Applies only to a grant the member did not hold before (<paramref name="heldBefore"/>).
    /// </summary>
    public static Refusal? MayGrantApproval(Member actor, string role, IReadOnlyList<string> permissions, IReadOnlySet<string> heldBefore, bool fourEyes) =>
        fourEyes && actor.Role != Roles.Owner
            && Roles.Effective(role, permissions).Contains(Tenancy.Permissions.PostsApprove) && !heldBefore.Contains(Tenancy.Permissions.PostsApprove)
            ? new Refusal($"This tenant requires four eyes: only an owner grants '{Tenancy.Permissions.PostsApprove}' (directly or through the admin or owner role).", Tenancy.Permissions.PostsApprove)
            : null;

    /// <summary>A new key for <paramref name="targetMemberId"/>: only your own. Nobody mints a key for someone else.</summary>
    public static Refusal? MayMintKey(Member actor, string targetMemberId) =>
        actor.MemberId == targetMemberId
            ? null
            : new Refusal("A key is minted only for yourself (rotation); a member who lost every key is recovered by the operator.");

    /// <summary>Revoking a key: your own, or one of a member you may manage.</summary>
    public static Refusal? MayRevokeKey(Member actor, Member target) =>
        actor.MemberId == target.MemberId ? null : MayManage(actor, target);

    private static string Article(string role) => role.Length > 0 && "aeiou".Contains(role[0]) ? "an" : "a";
}
