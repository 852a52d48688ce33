using System.Net;
using System.Text.Json;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Tenancy;

/// <summary>
/// OWASP API1/API5 in the small: tenants A and B, every tenant route called with A's key and
/// B's x-tenant-id, and with A's own headers but B's object ids in the path.
/// </summary>
public sealed class IsolationMatrixTests(TenancyHost host) : IClassFixture<TenancyHost>
{
    private ApiClient Api => host.Api;

    /// <summary>Every tenant route; {member} and {key} are filled with the victim's ids.</summary>
    public static TheoryData<string, string, string?> Routes() => new()
    {
        { "GET", "/api/tenant", null },
        { "PATCH", "/api/tenant", """{"name":"hijacked"}""" },
        { "GET", "/api/audit", null },
        { "GET", "/api/members", null },
        { "POST", "/api/members", """{"email":"intruder@evil.test","role":"owner"}""" },
        { "PATCH", "/api/members/{member}", """{"role":"owner"}""" },
        { "DELETE", "/api/members/{member}", null },
        { "POST", "/api/members/{member}/keys", null },
        { "DELETE", "/api/members/{member}/keys/{key}", null },
        { "GET", "/api/channels", null },
        { "POST", "/api/channels/facebook", $$"""{"userAccessToken":"{{OrleansSocial.GraphEmulator.World.TokenStore.DemoUserToken}}"}""" },
        { "GET", "/api/channels/{channel}", null },
        { "PATCH", "/api/channels/{channel}", """{"paused":true}""" },
        { "DELETE", "/api/channels/{channel}", null },
    };

    private sealed record Victim(ApiClient.Tenant Tenant, string Name, string MemberId, string KeyId);

    private async Task<(ApiClient.Tenant A, Victim B)> TwoTenantsAsync()
    {
        var a = await Api.CreateTenantAsync();
        var name = "Bravo Private " + Guid.NewGuid().ToString("N")[..6];
        var b = await Api.CreateTenantAsync(name: name);
        var (memberId, _) = await Api.AddMemberAsync(b, "editor");
        var connected = await Api.TenantAsync(HttpMethod.Post, "/api/channels/facebook", b.Id, b.OwnerKey, new { userAccessToken = OrleansSocial.GraphEmulator.World.TokenStore.DemoUserToken });
        Assert.Equal(HttpStatusCode.Created, connected.StatusCode);
        var members = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, "/api/members", b.Id, b.OwnerKey));
        var keyId = members.GetProperty("items").EnumerateArray().Single(m => m.GetProperty("memberId").GetString() == memberId)
            .GetProperty("keys")[0].GetProperty("keyId").GetString()!;
        return (a, new Victim(b, name, memberId, keyId));
    }

    private const string VictimChannel = "fb-100000000000000";

    private static string Fill(string path, Victim victim) => path.Replace("{member}", victim.MemberId).Replace("{key}", victim.KeyId).Replace("{channel}", VictimChannel);

    private static void AssertNothingOf(Victim victim, string body)
    {
        Assert.DoesNotContain(victim.Name, body);
        Assert.DoesNotContain(victim.Tenant.OwnerMemberId, body);
        Assert.DoesNotContain($"@{victim.Tenant.Id}.test", body);
    }

    private async Task AssertVictimUntouchedAsync(Victim victim)
    {
        var tenant = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, "/api/tenant", victim.Tenant.Id, victim.Tenant.OwnerKey));
        Assert.Equal(victim.Name, tenant.GetProperty("name").GetString());
        var members = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, "/api/members", victim.Tenant.Id, victim.Tenant.OwnerKey));
        var items = members.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(2, items.Count);
        var editor = items.Single(m => m.GetProperty("memberId").GetString() == victim.MemberId);
        Assert.Equal("editor", editor.GetProperty("role").GetString());
        Assert.Equal(victim.KeyId, Assert.Single(editor.GetProperty("keys").EnumerateArray()).GetProperty("keyId").GetString());
        var channel = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, $"/api/channels/{VictimChannel}", victim.Tenant.Id, victim.Tenant.OwnerKey));
        Assert.Equal("active", channel.GetProperty("status").GetString());
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task A_key_with_the_other_tenants_header_is_403_and_leaks_nothing(string method, string path, string? body)
    {
        var (a, b) = await TwoTenantsAsync();

        var response = await Api.TenantAsync(new HttpMethod(method), Fill(path, b), b.Tenant.Id, a.OwnerKey, body);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        AssertNothingOf(b, await response.Content.ReadAsStringAsync());
        await AssertVictimUntouchedAsync(b);
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Own_headers_with_the_other_tenants_object_ids_never_reach_its_objects(string method, string path, string? body)
    {
        var (a, b) = await TwoTenantsAsync();

        var response = await Api.TenantAsync(new HttpMethod(method), Fill(path, b), a.Id, a.OwnerKey, body);

        if (path.Contains("{member}", StringComparison.Ordinal) || path.Contains("{channel}", StringComparison.Ordinal))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
        else
        {
            // Routes without object ids act on the caller's own tenant only.
            Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode}");
        }

        AssertNothingOf(b, await response.Content.ReadAsStringAsync());
        await AssertVictimUntouchedAsync(b);
    }

    [Fact]
    public async Task Each_tenants_data_lives_in_its_own_database_file()
    {
        var (a, b) = await TwoTenantsAsync();
        Assert.True(File.Exists(TenantFiles.PathOf(host.DataPath, a.Id)));
        Assert.True(File.Exists(TenantFiles.PathOf(host.DataPath, b.Tenant.Id)));
        var bytesOfA = await TenantFiles.ReadRawAsync(TenantFiles.PathOf(host.DataPath, a.Id));
        Assert.DoesNotContain(b.MemberId, bytesOfA);
        Assert.DoesNotContain(b.Tenant.OwnerMemberId, bytesOfA);
    }
}
