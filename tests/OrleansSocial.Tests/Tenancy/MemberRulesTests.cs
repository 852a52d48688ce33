using OrleansSocial.Tenancy;

namespace OrleansSocial.Tests.Tenancy;

/// <summary>The pure rank rules, as a table: who may manage whom.</summary>
public sealed class MemberRulesTests
{
    private static MemberRules.Member M(string id, string role, params string[] extra) => new(id, role, extra);

    [Theory]
    [InlineData("owner", "owner", true)]
    [InlineData("owner", "admin", true)]
    [InlineData("admin", "owner", false)]
    [InlineData("admin", "admin", true)]
    [InlineData("admin", "viewer", true)]
    [InlineData("editor", "viewer", false)]
    [InlineData("viewer", "viewer", false)]
    public void May_manage_only_members_who_do_not_outrank_you(string actor, string target, bool allowed) =>
        Assert.Equal(allowed, MemberRules.MayManage(M("a", actor), M("t", target)) is null);

    [Fact]
    public void An_editor_with_members_manage_still_cannot_touch_an_admin() =>
        Assert.NotNull(MemberRules.MayManage(M("a", Roles.Editor, Permissions.MembersManage), M("t", Roles.Admin)));

    [Theory]
    [InlineData("admin", "owner", false)]
    [InlineData("admin", "admin", true)]
    [InlineData("owner", "owner", true)]
    [InlineData("editor", "viewer", true)]
    [InlineData("editor", "analyst", true)]
    public void May_grant_no_role_above_your_own(string actor, string role, bool allowed) =>
        Assert.Equal(allowed, MemberRules.MayGrant(M("a", actor, Permissions.All.ToArray()), role, []) is null);

    [Fact]
    public void May_grant_no_permission_you_lack()
    {
        var refusal = MemberRules.MayGrant(M("a", Roles.Admin), Roles.Viewer, [Permissions.TenantManage]);
        Assert.Equal(Permissions.TenantManage, refusal?.Permission);
    }

    [Fact]
    public void Keys_are_minted_only_for_yourself()
    {
        Assert.Null(MemberRules.MayMintKey(M("a", Roles.Viewer), "a"));
        Assert.NotNull(MemberRules.MayMintKey(M("a", Roles.Owner), "b"));
    }

    [Fact]
    public void Your_own_key_you_may_always_revoke() =>
        Assert.Null(MemberRules.MayRevokeKey(M("a", Roles.Viewer), M("a", Roles.Viewer)));
}
