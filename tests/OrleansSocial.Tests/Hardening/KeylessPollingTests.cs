using System.Net;
using System.Net.Http.Headers;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Hardening;

/// <summary>
/// The Orleans Dashboard polls without credentials until the browser has them: a request with no
/// key guesses nothing, so it is answered 401 however often it comes and never spends the address's
/// failed-authentication budget. A browser that did spend it (wrong keys) gets its 429 as a problem
/// body whatever it accepts, not an empty 500. Its own host, so its budget is its own.
/// </summary>
public sealed class KeylessPollingTests(StrictAuthHost host) : IClassFixture<StrictAuthHost>
{
    private static HttpRequestMessage Browser(string path, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return request;
    }

    [Fact]
    public async Task Requests_without_a_key_are_401_however_many_and_a_spent_budget_answers_a_browser_429()
    {
        var tenant = await host.Api.CreateTenantAsync();
        // Five times the budget's burst of keyless polls, on the dashboard, an operator route and a tenant route.
        for (var i = 0; i < 25; i++)
        {
            using var dashboard = Browser("/dashboard");
            Assert.Equal(HttpStatusCode.Unauthorized, (await host.Api.Http.SendAsync(dashboard)).StatusCode);
            using var admin = Browser("/admin/tenants");
            Assert.Equal(HttpStatusCode.Unauthorized, (await host.Api.Http.SendAsync(admin)).StatusCode);
            using var member = Browser("/api/tenant");
            member.Headers.Add("x-tenant-id", tenant.Id);
            Assert.Equal(HttpStatusCode.Unauthorized, (await host.Api.Http.SendAsync(member)).StatusCode);
        }

        // Wrong keys do spend it; then the browser is told to wait, with a body it can show.
        for (var i = 0; i < 5; i++)
        {
            using var wrong = Browser("/dashboard", "not-the-operator-key");
            Assert.Equal(HttpStatusCode.Unauthorized, (await host.Api.Http.SendAsync(wrong)).StatusCode);
        }

        using var refused = Browser("/dashboard", "not-the-operator-key");
        var answer = await host.Api.Http.SendAsync(refused);
        Assert.Equal(HttpStatusCode.TooManyRequests, answer.StatusCode);
        Assert.NotNull(answer.Headers.RetryAfter);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        Assert.Contains("authentication-throttled", await answer.Content.ReadAsStringAsync());
    }
}
