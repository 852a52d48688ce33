using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using OrleansSocial.GraphEmulator.World;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Operations;

/// <summary>
/// The Prometheus scrape route serves every series the Grafana dashboard in <c>deploy/grafana</c>
/// queries, once the product has done what each counts; and only to the operator.
/// </summary>
public sealed partial class MetricsEndpointTests(OverviewHost host) : IClassFixture<OverviewHost>
{
    private const string Page = "fb-100000000000000";
    private const string PageId = "100000000000000";

    private ApiClient Api => host.Api;

    [Fact]
    public async Task The_scrape_serves_every_series_the_grafana_dashboard_uses()
    {
        var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "deploy", "grafana", "orleans-social.json"))).RootElement;
        var series = DashboardSeries(dashboard);
        Assert.True(series.Count >= 14, string.Join(", ", series));

        // Something of everything the dashboard counts: a tenant with a channel, a sync, a publication
        // published and one failed, a failed authentication.
        var tenant = await Api.CreateTenantAsync();
        Assert.Equal(HttpStatusCode.Created, (await Api.TenantAsync(HttpMethod.Post, "/api/channels/facebook", tenant.Id, tenant.OwnerKey, new { userAccessToken = TokenStore.DemoUserToken })).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await Api.TenantAsync(HttpMethod.Post, $"/api/channels/{Page}/sync", tenant.Id, tenant.OwnerKey)).StatusCode);
        await PostAsync(tenant, "published");
        Assert.Equal(HttpStatusCode.Created, (await host.Emulator.PostAsJsonAsync("/__emulator/faults", new { method = "POST", pathPrefix = $"{PageId}/feed", code = 190, subcode = 463, message = "Error validating access token: Session has expired", remaining = 1 })).StatusCode);
        await PostAsync(tenant, "failed");
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, "osk_nothing_nothing")).StatusCode);

        // The gauges refresh each publishing round, counters at the next collection: the series the
        // scrape does not serve yet, until none is missing (the timeout names the last ones missing).
        var missing = await Eventually.ValueAsync(async () =>
        {
            var response = await Api.OperatorAsync(HttpMethod.Get, "/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var scraped = ServedSeries(await response.Content.ReadAsStringAsync());
            return string.Join(", ", series.Where(s => !scraped.Contains(s)).Order(StringComparer.Ordinal));
        }, missing => missing.Length == 0, TimeSpan.FromSeconds(30));
        Assert.Equal("", missing);
    }

    [Fact]
    public async Task The_scrape_is_for_the_operator_only()
    {
        var tenant = await Api.CreateTenantAsync();
        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Get, "/metrics", tenant.Id, tenant.OwnerKey), 401);
        using var keyless = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.Http.SendAsync(keyless)).StatusCode);
    }

    /// <summary>Metric names in the dashboard's queries (words before a selector or a range).</summary>
    private static HashSet<string> DashboardSeries(JsonElement dashboard)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var panel in dashboard.GetProperty("panels").EnumerateArray())
        {
            foreach (var target in panel.GetProperty("targets").EnumerateArray())
            {
                foreach (Match match in MetricName().Matches(target.GetProperty("expr").GetString()!))
                {
                    names.Add(match.Value);
                }
            }
        }

        return names;
    }

    /// <summary>Series names the exposition serves (a sample line starts with its name).</summary>
    private static HashSet<string> ServedSeries(string exposition) =>
        [.. exposition.Split('\n').Where(line => line.Length > 0 && line[0] != '#').Select(line => SampleName().Match(line).Value)];

    [GeneratedRegex(@"\borleans_social_[a-z_]+\b")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex SampleName();

    /// <summary>A post due in a second, followed until its publication ends <paramref name="status"/>.</summary>
    private async Task PostAsync(ApiClient.Tenant tenant, string status)
    {
        var response = await Api.TenantAsync(HttpMethod.Post, "/api/posts", tenant.Id, tenant.OwnerKey, new { channelIds = new[] { Page }, text = $"Metrics {Guid.NewGuid():N}", scheduledAt = DateTimeOffset.UtcNow.AddSeconds(1).ToString("O") });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        var id = JsonDocument.Parse(text).RootElement.GetProperty("postId").GetString();
        var post = await Eventually.ValueAsync(
            async () => await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, $"/api/posts/{id}", tenant.Id, tenant.OwnerKey)),
            p => p.GetProperty("publications")[0].GetProperty("status").GetString() is not ("scheduled" or "publishing"),
            TimeSpan.FromSeconds(30));
        Assert.Equal(status, post.GetProperty("publications")[0].GetProperty("status").GetString());
    }
}
