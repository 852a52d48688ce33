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

        // While refused, even the right key is not looked at: guessing learns nothing.
        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, tenant.OwnerKey), 429);
        // Wrong operator keys spend the same budget.
        using var wrongOperator = new HttpRequestMessage(HttpMethod.Get, "/admin/tenants");
        wrongOperator.Headers.Authorization = new("Bearer", "not-the-operator-key");
        await ProblemAssert.IsProblemAsync(await Api.Http.SendAsync(wrongOperator), 429);

        var events = host.Host.Logs.Lines.Where(l => l.Contains("Security:", StringComparison.Ordinal)).ToList();
        Assert.Contains(events, l => l.Contains("authentication failed (invalid key) from 127.0.0.1", StringComparison.Ordinal) && l.Contains("kdeadbeefdeadbeef", StringComparison.Ordinal));
        Assert.Contains(events, l => l.Contains("refused (429)", StringComparison.Ordinal));
        Assert.DoesNotContain(events, l => l.Contains(new string('A', 43), StringComparison.Ordinal));
        Assert.DoesNotContain(host.Host.Logs.Lines, l => l.Contains(tenant.OwnerKey.Split('.')[3], StringComparison.Ordinal));
        // However hard it knocks, the refusals do not flood the log.
        Assert.True(events.Count(l => l.Contains("refused (429)", StringComparison.Ordinal)) <= 2);
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
}
