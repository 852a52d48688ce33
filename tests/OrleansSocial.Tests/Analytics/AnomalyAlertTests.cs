using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansSocial.GraphEmulator.World;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Analytics;

/// <summary>A host whose emulator's daily insights run at a fifth on weekends, as many accounts' do.</summary>
public sealed class AnomalyHost : TenancyHost
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings { get; } = new Dictionary<string, string?>
    {
        ["Emulator:WeekendFactor"] = "0.2",
        ["Emulator:PostsPerPage"] = "30",
        ["Webhooks:AllowPrivateNetworks"] = "true",
        // Manual syncs only: a scheduled first sync would race the tests' runs.
        ["Sync:InitialSyncWindow"] = "1.00:00:00",
    };
}

/// <summary>
/// An emulator-made drop of a Page's engagement on the last complete day raises <c>insight.anomaly</c>
/// once — stored, listed, delivered — and the weekend shape of every other series raises nothing; the
/// thresholds are the tenant's own.
/// </summary>
public sealed class AnomalyAlertTests(AnomalyHost host) : IClassFixture<AnomalyHost>
{
    private const string PageId = "100000000000000";
    private const string Page = "fb-" + PageId;
    private static readonly TimeZoneInfo Pacific = TimeZoneInfo.FindSystemTimeZoneById("America/Los_Angeles");

    private ApiClient Api => host.Api;

    [Fact]
    public async Task A_drop_on_the_last_complete_day_is_raised_once_and_weekend_dips_are_not()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var tenant = await Api.CreateTenantAsync();
        var url = receiver.Endpoint(200, 200, 200, 200);
        var created = await Api.TenantAsync(HttpMethod.Post, "/api/webhooks", tenant.Id, tenant.OwnerKey, new { url, events = new[] { "insight.anomaly" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var webhook = await ApiClient.JsonAsync(created);
        Assert.Equal(HttpStatusCode.Created, (await Api.TenantAsync(HttpMethod.Post, "/api/channels/facebook", tenant.Id, tenant.OwnerKey, new { userAccessToken = TokenStore.DemoUserToken })).StatusCode);

        var clock = await (await host.Emulator.GetAsync("/__emulator/clock")).Content.ReadFromJsonAsync<JsonElement>();
        var pacificToday = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(clock.GetProperty("now").GetDateTimeOffset(), Pacific).DateTime);
        var lastComplete = pacificToday.AddDays(-1);
        var changed = await host.Emulator.PostAsJsonAsync("/__emulator/insights/change", new { objectId = PageId, metric = "page_post_engagements", day = lastComplete.ToString("yyyy-MM-dd"), factor = 0.05 });
        Assert.Equal(HttpStatusCode.NoContent, changed.StatusCode);

        // The monthly run backfills the baseline's days; the daily run's judgement comes after both.
        await Api.SyncAndWaitAsync(tenant, Page, "daily", "monthly");

        var anomalies = (await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, $"/api/channels/{Page}/anomalies", tenant.Id, tenant.OwnerKey))).GetProperty("items");
        var only = Assert.Single(anomalies.EnumerateArray());
        Assert.Equal("page_post_engagements", only.GetProperty("metric").GetString());
        Assert.Equal("engagement", only.GetProperty("figure").GetString());
        Assert.Equal("drop", only.GetProperty("direction").GetString());
        Assert.Equal(lastComplete, DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(only.GetProperty("day").GetDateTimeOffset().AddSeconds(-1), Pacific).DateTime));
        Assert.True(only.GetProperty("value").GetDouble() < only.GetProperty("expectedLow").GetDouble(), only.GetRawText());

        await Eventually.UntilAsync(() => Task.FromResult(receiver.To(url).Count >= 1), TimeSpan.FromSeconds(30));
        var delivered = JsonDocument.Parse(receiver.To(url)[0].Body).RootElement;
        Assert.Equal("insight.anomaly", delivered.GetProperty("type").GetString());
        Assert.Equal(only.GetProperty("anomalyId").GetString(), delivered.GetProperty("data").GetProperty("anomalyId").GetString());
        Assert.Equal("drop", delivered.GetProperty("data").GetProperty("direction").GetString());

        // Judged again by the next sync: still one anomaly, still one delivery.
        await Api.SyncAndWaitAsync(tenant, Page, "daily");
        Assert.Single((await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, $"/api/channels/{Page}/anomalies", tenant.Id, tenant.OwnerKey))).GetProperty("items").EnumerateArray());
        var deliveries = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, $"/api/webhooks/{webhook.GetProperty("webhook").GetProperty("webhookId").GetString()}/deliveries", tenant.Id, tenant.OwnerKey));
        Assert.Single(deliveries.GetProperty("items").EnumerateArray());
        Assert.Single(receiver.To(url));
    }

    [Fact]
    public async Task A_tenant_sets_its_thresholds_within_bounds_and_a_threshold_out_of_them_names_its_field()
    {
        var tenant = await Api.CreateTenantAsync();
        var defaults = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, tenant.OwnerKey));
        Assert.Equal(4.0, defaults.GetProperty("anomalyThreshold").GetDouble());
        Assert.Equal(0.3, defaults.GetProperty("anomalyMinimumChange").GetDouble());

        var changed = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Patch, "/api/tenant", tenant.Id, tenant.OwnerKey, new { anomalyThreshold = 6.5, anomalyMinimumChange = 0.5 }));
        Assert.Equal(6.5, changed.GetProperty("anomalyThreshold").GetDouble());
        Assert.Equal(0.5, changed.GetProperty("anomalyMinimumChange").GetDouble());

        foreach (var (body, field) in new (object, string)[] { (new { anomalyThreshold = 0.5 }, "anomalyThreshold"), (new { anomalyThreshold = 21 }, "anomalyThreshold"), (new { anomalyMinimumChange = -0.1 }, "anomalyMinimumChange") })
        {
            var refused = await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Patch, "/api/tenant", tenant.Id, tenant.OwnerKey, body), 400);
            Assert.Contains(field, refused.GetRawText());
        }

        var kept = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, tenant.OwnerKey));
        Assert.Equal(6.5, kept.GetProperty("anomalyThreshold").GetDouble());
    }
}
