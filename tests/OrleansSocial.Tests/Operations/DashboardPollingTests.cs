using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OrleansSocial.Api.Configuration;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Operations;

/// <summary>
/// An operator keeps the Orleans Dashboard open: ten minutes of its polling (Chromium's virtual
/// time, so the test takes seconds) with the operator key in the URL and the shipped
/// failed-authentication allowance. The polls the browser makes before it sends the key are 401s
/// that spend nothing; none is refused with 429 and the page never shows a connection error.
/// </summary>
public sealed class DashboardPollingTests : IAsyncLifetime
{
    private const string OperatorKey = "test-operator-key-dashboard-0123456789abcdef";

    private readonly TempFolder _data = new();
    private readonly ConcurrentQueue<int> _dashboardAnswers = new();
    private ApiHost _host = null!;

    public Task InitializeAsync()
    {
        var shipped = new ApiOptions();
        _host = new ApiHost(_data.Path, new Dictionary<string, string?>
        {
            ["Operator:ApiKey"] = OperatorKey,
            ["Api:FailedAuthenticationBurst"] = shipped.FailedAuthenticationBurst.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Api:FailedAuthenticationsPerMinute"] = shipped.FailedAuthenticationsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, services => services.AddSingleton<IStartupFilter>(new DashboardAnswers(_dashboardAnswers)));
        _ = _host.BaseAddress;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task Ten_minutes_of_dashboard_polling_with_the_key_in_the_url_stays_usable()
    {
        var address = _host.BaseAddress;
        var page = await HeadlessChromium.RenderedTextAsync(
            new Uri($"http://operator:{OperatorKey}@{address.Authority}/dashboard/"), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(4));

        var answers = _dashboardAnswers.ToList();
        Assert.DoesNotContain("Error connecting", page, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Active Silos 1", page);
        Assert.DoesNotContain(429, answers);
        // The dashboard polls every second: ten minutes are hundreds of polls, answered 200 once the browser sent the key.
        Assert.True(answers.Count(a => a == 200) >= 500, $"{answers.Count} dashboard requests: {string.Join(", ", answers.GroupBy(a => a).Select(g => $"{g.Count()} × {g.Key}"))}");
        Assert.Equal(200, answers[^1]);
    }

    /// <summary>Records the status of every dashboard request, after the whole pipeline has answered.</summary>
    private sealed class DashboardAnswers(ConcurrentQueue<int> answers) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, inner) =>
            {
                await inner(context);
                if (context.Request.Path.StartsWithSegments("/dashboard", StringComparison.Ordinal))
                {
                    answers.Enqueue(context.Response.StatusCode);
                }
            });
            next(app);
        };
    }
}
