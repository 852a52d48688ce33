using OrleansSocial.Grains.Tenancy;
using OrleansSocial.Grains.Tenancy.Rules;
using OrleansSocial.Tenancy;

namespace OrleansSocial.Tests.Tenancy;

/// <summary>The tenant grain's input rules and member bookkeeping, without a grain.</summary>
public sealed class TenantInputTests
{
    private static string FieldOf(Action action) => Assert.Throws<DomainException>(action).Subject!;

    [Theory]
    [InlineData("  Acme  ", "Acme")]
    [InlineData("Café Ünïcødé 😀", "Café Ünïcødé 😀")]
    public void Names_are_trimmed_and_kept(string name, string expected) => Assert.Equal(expected, TenantInput.Name(name, "name"));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("\u200b")]
    [InlineData("a\nb")]
    [InlineData("Acme\u202e")]
    public void Names_without_a_visible_character_or_on_several_lines_are_refused(string? name) => Assert.Equal("name", FieldOf(() => TenantInput.Name(name, "name")));

    [Fact]
    public void A_name_over_the_length_is_refused() => Assert.Equal("name", FieldOf(() => TenantInput.Name(new string('a', TenantInput.MaxNameLength + 1), "name")));

    [Theory]
    [InlineData("a@b.test", true)]
    [InlineData("A B <a@b.test>", false)]
    [InlineData("nope", false)]
    public void Emails_are_plain_addresses(string email, bool valid)
    {
        if (valid)
        {
            Assert.Equal(email, TenantInput.Email(email, "email"));
        }
        else
        {
            Assert.Equal("email", FieldOf(() => TenantInput.Email(email, "email")));
        }
    }

    [Fact]
    public void Grants_name_the_element_that_is_wrong_and_come_back_sorted_and_distinct()
    {
        Assert.Equal("role", FieldOf(() => TenantInput.Grant(null, [])));
        Assert.Equal("permissions[1]", FieldOf(() => TenantInput.Grant("viewer", ["channels:read", null])));
        Assert.Equal("permissions[0]", FieldOf(() => TenantInput.Grant("viewer", ["root"])));
        Assert.Equal(["audit:read", "channels:read"], TenantInput.Grant("viewer", ["channels:read", "audit:read", "channels:read"]).Permissions);
    }

    [Fact]
    public void Limit_changes_keep_lift_or_refuse()
    {
        var limits = Plans.LimitsOf(Plans.Pro);
        Assert.Null(TenantInput.Limits(limits, new LimitsChange(LimitsChange.Unlimited, null, null, null, null)).Members);
        Assert.Equal(limits.Channels, TenantInput.Limits(limits, new LimitsChange(null, null, null, null, null)).Channels);
        Assert.Equal("limits.members", FieldOf(() => TenantInput.Limits(limits, new LimitsChange(-5, null, null, null, null))));
        Assert.Equal("limits.apiRequestsPerMinute", FieldOf(() => TenantInput.Limits(limits, new LimitsChange(null, null, null, null, 0))));
    }

    [Fact]
    public void Time_zones_reasons_and_cursors()
    {
        Assert.Equal("Europe/Paris", TenantInput.TimeZone("Europe/Paris"));
        Assert.Equal("timeZone", FieldOf(() => TenantInput.TimeZone("Mars/Olympus")));
        Assert.Equal("reason", FieldOf(() => TenantInput.Reason(" ")));
        Assert.Equal("m123", TenantInput.DecodeMemberCursor(TenantInput.EncodeMemberCursor("m123")));
        Assert.Equal("cursor", FieldOf(() => TenantInput.DecodeMemberCursor("!!!")));
    }

    [Fact]
    public void The_roster_authenticates_only_live_keys_of_its_own_tenant()
    {
        var roster = new MemberRoster();
        var key = ApiKeys.Issue("acme");
        var member = new MemberDocument("m1", "a@b.test", Roles.Owner, [], [new KeyDocument(key.KeyId, key.Hash, DateTimeOffset.UnixEpoch)], DateTimeOffset.UnixEpoch);
        roster.Put(member);

        Assert.Equal("m1", roster.Authenticate("acme", key.Key)?.MemberId);
        Assert.Null(roster.Authenticate("other", key.Key));
        Assert.Null(roster.Authenticate("acme", key.Key[..^1] + (key.Key[^1] == 'A' ? 'B' : 'A')));
        Assert.Equal(1, roster.Owners);

        roster.Put(member with { Keys = [] });
        Assert.Null(roster.Authenticate("acme", key.Key));
        Assert.True(roster.HasEmail("A@B.TEST"));
    }

    [Fact]
    public void The_roster_pages_in_id_order()
    {
        var roster = new MemberRoster();
        foreach (var id in new[] { "m3", "m1", "m2" })
        {
            roster.Put(new MemberDocument(id, $"{id}@x.test", Roles.Viewer, [], [], DateTimeOffset.UnixEpoch));
        }

        var (first, after) = roster.Page(null, 2);
        Assert.Equal(["m1", "m2"], first.Select(m => m.MemberId));
        var (second, end) = roster.Page(after, 2);
        Assert.Equal(["m3"], second.Select(m => m.MemberId));
        Assert.Null(end);
    }
}
