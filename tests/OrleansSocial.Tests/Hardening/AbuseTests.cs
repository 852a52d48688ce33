using System.Net;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Hardening;

/// <summary>A host with the shipped failed-authentication limit turned low, so a test can reach it.</summary>
public sealed class StrictAuthHost : TenancyHost
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings { get; } = new Dictionary<string, string?>
    {
        ["Api:FailedAuthenticationBurst"] = "5",
        ["Api:FailedAuthenticationsPerMinute"] = "2",
    };
}

/// <summary>Failed authentication is a security event and has a per-address budget; tenant limits say the real wait.</summary>
public sealed class AbuseTests(StrictAuthHost host) : IClassFixture<StrictAuthHost>
{
    private ApiClient Api => host.Api;

    [Fact]
    public async Task Failed_authentications_are_logged_as_security_events_and_then_refused_with_429()
    {
        // One test owns this host's address budget: the others here never fail authentication.
        var tenant = await Api.CreateTenantAsync();
        var wrongKey = $"osk.{tenant.Id}.kdeadbeefdeadbeef.{new string('A', 43)}";

        var statuses = new List<int>();
        for (var i = 0; i < 8; i++)
        {
            statuses.Add((int)(await Api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, wrongKey)).StatusCode);
        }

        Assert.Equal([401, 401, 401, 401, 401], statuses.Take(5));
        Assert.All(statuses.Skip(5), s => Assert.Equal(429, s));
        var refused = await Api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, wrongKey);
        await ProblemAssert.IsProblemAsync(refused, 429);
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 30);

        // While refused, the guessed key's secret is not looked at: a right secret for that key id is 429 too, so guessing learns nothing.
        var rightSecretSameId = string.Join('.', wrongKey.Split('.')[..3]) + "." + tenant.OwnerKey.Split('.')[3];
        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, rightSecretSameId), 429);
        // But the members behind the same address (one proxy, one office) are not locked out by it, nor is the operator.
        Assert.Equal(HttpStatusCode.OK, (await Api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, tenant.OwnerKey)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Api.OperatorAsync(HttpMethod.Get, $"/admin/tenants/{tenant.Id}")).StatusCode);
        // Wrong operator keys spend a budget of their own, and then the operator key is refused from here too.
        for (var i = 0; i < 5; i++)
        {
            using var wrong = new HttpRequestMessage(HttpMethod.Get, "/admin/tenants");
            wrong.Headers.Authorization = new("Bearer", "not-the-operator-key");
            Assert.Equal(HttpStatusCode.Unauthorized, (await Api.Http.SendAsync(wrong)).StatusCode);
        }

        using var wrongOperator = new HttpRequestMessage(HttpMethod.Get, "/admin/tenants");
        wrongOperator.Headers.Authorization = new("Bearer", "not-the-operator-key");
        await ProblemAssert.IsProblemAsync(await Api.Http.SendAsync(wrongOperator), 429);
        await ProblemAssert.IsProblemAsync(await Api.OperatorAsync(HttpMethod.Get, $"/admin/tenants/{tenant.Id}"), 429);
        // Members still pass: the operator's budget is not theirs.
        Assert.Equal(HttpStatusCode.OK, (await Api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, tenant.OwnerKey)).StatusCode);

        var events = host.Host.Logs.Lines.Where(l => l.Contains("Security:", StringComparison.Ordinal)).ToList();
        Assert.Contains(events, l => l.Contains("authentication failed (invalid key) from 127.0.0.1", StringComparison.Ordinal) && l.Contains("kdeadbeefdeadbeef", StringComparison.Ordinal));
        Assert.Contains(events, l => l.Contains("refused (429)", StringComparison.Ordinal));
        Assert.DoesNotContain(events, l => l.Contains(new string('A', 43), StringComparison.Ordinal));
        Assert.DoesNotContain(host.Host.Logs.Lines, l => l.Contains(tenant.OwnerKey.Split('.')[3], StringComparison.Ordinal));
        // However hard it knocks, the refusals do not flood the log.
        Assert.True(events.Count(l => l.Contains("refused (429)", StringComparison.Ordinal)) <= 2);
    }
}

/// <summary>The strict budget behind a reverse proxy named in Api:KnownProxies (the test client's loopback address).</summary>
public sealed class ProxiedStrictAuthHost : TenancyHost
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings { get; } = new Dictionary<string, string?>
    {
        ["Api:FailedAuthenticationBurst"] = "3",
        ["Api:FailedAuthenticationsPerMinute"] = "1",
        ["Api:KnownProxies:0"] = "127.0.0.1",
        ["Api:KnownProxies:1"] = "::1",
    };
}

/// <summary>Behind a configured proxy, the budget belongs to the client the proxy names, not to the proxy.</summary>
public sealed class ForwardedAddressTests(ProxiedStrictAuthHost host) : IClassFixture<ProxiedStrictAuthHost>
{
    private async Task<HttpStatusCode> AsAsync(string client, string tenantId, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/tenant");
        request.Headers.Add("x-tenant-id", tenantId);
        request.Headers.Authorization = new("Bearer", key);
        request.Headers.Add("X-Forwarded-For", client);
        return (await host.Api.Http.SendAsync(request)).StatusCode;
    }

    [Fact]
    public async Task One_client_behind_the_proxy_spends_its_own_budget_and_not_its_neighbours()
    {
        var tenant = await host.Api.CreateTenantAsync();
        var wrongKey = $"osk.{tenant.Id}.kfeedfacefeedface.{new string('B', 43)}";
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await AsAsync("203.0.113.7", tenant.Id, wrongKey));
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, await AsAsync("203.0.113.7", tenant.Id, wrongKey));
        // Another client through the same proxy guessing the same key id has its own budget.
        Assert.Equal(HttpStatusCode.Unauthorized, await AsAsync("203.0.113.8", tenant.Id, wrongKey));
        Assert.Equal(HttpStatusCode.OK, await AsAsync("203.0.113.8", tenant.Id, tenant.OwnerKey));
        Assert.Contains(host.Host.Logs.Lines, l => l.Contains("Security:", StringComparison.Ordinal) && l.Contains("from 203.0.113.7", StringComparison.Ordinal));
    }
}

/// <summary>Without Api:KnownProxies, a client cannot pick the address it is judged by.</summary>
public sealed class UnforwardedAddressTests(StrictAuthHost host) : IClassFixture<StrictAuthHost>
{
    [Fact]
    public async Task X_forwarded_for_from_an_unconfigured_proxy_is_ignored()
    {
        var tenant = await host.Api.CreateTenantAsync();
        var wrongKey = $"osk.{tenant.Id}.kabcdefabcdefabcd.{new string('C', 43)}";
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 7; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/tenant");
            request.Headers.Add("x-tenant-id", tenant.Id);
            request.Headers.Authorization = new("Bearer", wrongKey);
            // A new made-up address each time: if it were believed, no budget would ever run out.
            request.Headers.Add("X-Forwarded-For", $"198.51.100.{i + 1}");
            statuses.Add((await host.Api.Http.SendAsync(request)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        Assert.DoesNotContain(host.Host.Logs.Lines, l => l.Contains("from 198.51.100.", StringComparison.Ordinal));
    }
}

/// <summary>Over the tenant's request rate, Retry-After is the time left, not the window.</summary>
public sealed class TenantRateRetryAfterTests(TenancyHost host) : IClassFixture<TenancyHost>
{
    [Fact]
    public async Task Retry_after_on_the_tenant_limit_is_the_time_until_the_next_request_is_allowed()
    {
        var api = host.Api;
        var tenant = await api.CreateTenantAsync();
        // 30 a minute: a request is earned back every 2 s, so nobody should be told to wait a minute.
        await api.OperatorAsync(HttpMethod.Patch, $"/admin/tenants/{tenant.Id}", new { limits = new { apiRequestsPerMinute = 30 } });

        HttpResponseMessage? limited = null;
        for (var i = 0; i < 60 && limited is null; i++)
        {
            var response = await api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, tenant.OwnerKey);
            limited = response.StatusCode == HttpStatusCode.TooManyRequests ? response : null;
        }

        Assert.NotNull(limited);
        await ProblemAssert.IsProblemAsync(limited, 429);
        Assert.InRange(limited.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 2);
    }

    [Fact]
    public async Task An_over_long_request_target_or_header_block_gets_problem_details_not_an_empty_body()
    {
        var tooLong = await host.Api.Http.GetAsync("/health/live?x=" + new string('a', 9_000));
        await ProblemAssert.IsProblemAsync(tooLong, 414);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        for (var i = 0; i < 5; i++)
        {
            request.Headers.TryAddWithoutValidation($"x-filler-{i}", new string('b', 7_000));
        }

        await ProblemAssert.IsProblemAsync(await host.Api.Http.SendAsync(request), 431);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Tenant_database_files_and_their_folder_are_owner_only()
    {
        var tenant = await host.Api.CreateTenantAsync();
        var file = Directory.GetFiles(host.DataPath, $"tenant_{tenant.Id.Replace('-', '_')}.db", SearchOption.AllDirectories).Single();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(file)!));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_embedded_grain_state_and_reminder_file_is_owner_only_with_its_wal()
    {
        await host.Api.CreateTenantAsync();
        // orleans.db names tenants and holds grain records: 0600 like the tenant files, and SQLite's WAL and shm follow its mode.
        var files = Directory.GetFiles(host.DataPath, "orleans.db*", SearchOption.TopDirectoryOnly);

        Assert.Contains(files, f => Path.GetFileName(f) == "orleans.db");
        Assert.All(files, f => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f)));
    }
}
