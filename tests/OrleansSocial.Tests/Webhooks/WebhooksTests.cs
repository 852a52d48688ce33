using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Http;
using OrleansSocial.GraphEmulator.World;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Webhooks;

/// <summary>A host whose webhooks may call loopback (the receiver), with retries in fractions of a second.</summary>
public sealed class WebhookHost : TenancyHost
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings { get; } = new Dictionary<string, string?>
    {
        ["Webhooks:AllowPrivateNetworks"] = "true",
        ["Webhooks:RetryDelays:0"] = "00:00:00.100",
        ["Webhooks:RetryDelays:1"] = "00:00:00.200",
        ["Webhooks:RetryDelays:2"] = "00:00:00.300",
        ["Webhooks:DisableAfterFailedDeliveries"] = "3",
        ["Webhooks:ReminderPeriod"] = "00:00:01",
        ["Orleans:MinimumReminderPeriod"] = "00:00:01",
        ["Publishing:ReminderPeriod"] = "00:00:01",
        ["Sync:InitialSyncWindow"] = "1.00:00:00",
    };

    public WebhookReceiver Receiver { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Receiver = await WebhookReceiver.StartAsync();
    }

    public override async Task DisposeAsync()
    {
        await Receiver.DisposeAsync();
        await base.DisposeAsync();
    }
}

/// <summary>Webhooks end to end: a real receiver on loopback, signatures checked with the Standard Webhooks library a receiver would use.</summary>
public sealed class WebhooksTests(WebhookHost host) : IClassFixture<WebhookHost>
{
    private ApiClient Api => host.Api;

    private WebhookReceiver Receiver => host.Receiver;

    private async Task<(string Id, string Secret)> RegisterAsync(ApiClient.Tenant tenant, string url, params string[] events)
    {
        var created = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Post, "/api/webhooks", tenant.Id, tenant.OwnerKey, new { url, events }));
        return (created.GetProperty("webhook").GetProperty("webhookId").GetString()!, created.GetProperty("secret").GetString()!);
    }

    private static Task<List<WebhookReceiver.Received>> ReceivedAsync(Func<List<WebhookReceiver.Received>> read, int count, int seconds = 20) =>
        Eventually.ValueAsync(() => Task.FromResult(read()), received => received.Count >= count, TimeSpan.FromSeconds(seconds), TimeSpan.FromMilliseconds(50));

    private async Task<JsonElement> DeliveryAsync(ApiClient.Tenant tenant, string webhookId, Func<JsonElement, bool> done)
    {
        var log = await Eventually.ValueAsync(
            async () => await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, $"/api/webhooks/{webhookId}/deliveries", tenant.Id, tenant.OwnerKey)),
            log => log.GetProperty("items").EnumerateArray().Any(done),
            TimeSpan.FromSeconds(20),
            TimeSpan.FromMilliseconds(50));
        return log.GetProperty("items").EnumerateArray().First(done);
    }

    private static void Verify(string secret, WebhookReceiver.Received received)
    {
        var headers = new HeaderDictionary();
        foreach (var (name, value) in received.Headers)
        {
            headers[name] = value;
        }

        new StandardWebhooks.StandardWebhook(secret).Verify(received.Body, headers);
    }

    [Fact]
    public async Task A_test_event_arrives_signed_and_the_secret_is_shown_only_once()
    {
        var tenant = await Api.CreateTenantAsync();
        var url = Receiver.Endpoint();
        var (id, secret) = await RegisterAsync(tenant, url, "post.published");

        var test = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Post, $"/api/webhooks/{id}/test", tenant.Id, tenant.OwnerKey));
        var received = Assert.Single(await ReceivedAsync(() => Receiver.To(url), 1));

        Assert.StartsWith("whsec_", secret);
        Verify(secret, received);
        var body = JsonDocument.Parse(received.Body).RootElement;
        Assert.Equal("webhook.test", body.GetProperty("type").GetString());
        Assert.Equal(tenant.Id, body.GetProperty("tenantId").GetString());
        Assert.Equal(1, body.GetProperty("version").GetInt32());
        Assert.Equal(test.GetProperty("eventId").GetString(), received.Headers["webhook-id"]);
        var delivery = await DeliveryAsync(tenant, id, d => d.GetProperty("status").GetString() == "succeeded");
        Assert.Equal(1, delivery.GetProperty("attempts").GetInt32());
        Assert.Equal(200, delivery.GetProperty("lastResponseCode").GetInt32());

        // The secret never again: not in the endpoint, not in the list.
        var shown = await (await Api.TenantAsync(HttpMethod.Get, $"/api/webhooks/{id}", tenant.Id, tenant.OwnerKey)).Content.ReadAsStringAsync();
        var listed = await (await Api.TenantAsync(HttpMethod.Get, "/api/webhooks", tenant.Id, tenant.OwnerKey)).Content.ReadAsStringAsync();
        Assert.DoesNotContain(secret[6..], shown + listed);

        // A tampered body or another secret does not verify.
        Assert.ThrowsAny<Exception>(() => Verify(secret, received with { Body = received.Body.Replace("webhook.test", "webhook.tost", StringComparison.Ordinal) }));
        Assert.ThrowsAny<Exception>(() => Verify("whsec_" + Convert.ToBase64String(new byte[32]), received));
    }

    [Fact]
    public async Task The_approval_flow_and_publishing_announce_themselves_to_subscribed_endpoints_only()
    {
        var tenant = await Api.CreateTenantAsync();
        Assert.Equal(HttpStatusCode.Created, (await Api.TenantAsync(HttpMethod.Post, "/api/channels/facebook", tenant.Id, tenant.OwnerKey, new { userAccessToken = TokenStore.DemoUserToken })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Api.TenantAsync(HttpMethod.Patch, "/api/tenant", tenant.Id, tenant.OwnerKey, new { requireApproval = true })).StatusCode);
        var all = Receiver.Endpoint();
        var publishedOnly = Receiver.Endpoint();
        var (_, secret) = await RegisterAsync(tenant, all, "post.approval_requested", "post.approved", "post.published");
        await RegisterAsync(tenant, publishedOnly, "post.published");

        var post = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Post, "/api/posts", tenant.Id, tenant.OwnerKey,
            new { channelIds = new[] { "fb-100000000000000" }, text = $"Announced {Guid.NewGuid():N}", scheduledAt = DateTimeOffset.UtcNow.AddSeconds(2) }));
        var postId = post.GetProperty("postId").GetString();
        Assert.Equal(HttpStatusCode.OK, (await Api.TenantAsync(HttpMethod.Post, $"/api/posts/{postId}/approve", tenant.Id, tenant.OwnerKey)).StatusCode);

        var received = await ReceivedAsync(() => Receiver.To(all), 3);
        Assert.Equal(["post.approval_requested", "post.approved", "post.published"], received.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("type").GetString()));
        Assert.All(received, r => Verify(secret, r));
        var published = JsonDocument.Parse(received[2].Body).RootElement.GetProperty("data");
        Assert.Equal(postId, published.GetProperty("postId").GetString());
        Assert.StartsWith("100000000000000_", published.GetProperty("platformPostId").GetString());
        Assert.StartsWith("https://www.facebook.com/", published.GetProperty("permalink").GetString());
        var other = Assert.Single(await ReceivedAsync(() => Receiver.To(publishedOnly), 1));
        Assert.Equal(received[2].Headers["webhook-id"], other.Headers["webhook-id"]);
    }

    [Fact]
    public async Task An_endpoint_registered_after_events_went_to_nobody_receives_the_next_ones_and_not_the_past()
    {
        // The tenant grain answers "no endpoint" from memory once asked: the endpoint's admission must change that answer.
        var tenant = await Api.CreateTenantAsync();
        Assert.Equal(HttpStatusCode.Created, (await Api.TenantAsync(HttpMethod.Post, "/api/channels/facebook", tenant.Id, tenant.OwnerKey, new { userAccessToken = TokenStore.DemoUserToken })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Api.TenantAsync(HttpMethod.Patch, "/api/tenant", tenant.Id, tenant.OwnerKey, new { requireApproval = true })).StatusCode);
        var post = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Post, "/api/posts", tenant.Id, tenant.OwnerKey,
            new { channelIds = new[] { "fb-100000000000000" }, text = $"Before the endpoint {Guid.NewGuid():N}", scheduledAt = DateTimeOffset.UtcNow.AddSeconds(2) }));
        var postId = post.GetProperty("postId").GetString();

        var url = Receiver.Endpoint();
        await RegisterAsync(tenant, url, "post.approval_requested", "post.approved", "post.published");
        Assert.Equal(HttpStatusCode.OK, (await Api.TenantAsync(HttpMethod.Post, $"/api/posts/{postId}/approve", tenant.Id, tenant.OwnerKey)).StatusCode);

        var received = await ReceivedAsync(() => Receiver.To(url), 2);
        Assert.Equal(["post.approved", "post.published"], received.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("type").GetString()));
    }

    [Fact]
    public async Task Channel_and_sync_events_announce_a_connection_a_failed_sync_and_a_rejected_token()
    {
        var tenant = await Api.CreateTenantAsync();
        var url = Receiver.Endpoint();
        await RegisterAsync(tenant, url, "channel.connected", "channel.needs_reauth", "sync.failed");
        Assert.Equal(HttpStatusCode.Created, (await Api.TenantAsync(HttpMethod.Post, "/api/channels/facebook", tenant.Id, tenant.OwnerKey, new { userAccessToken = TokenStore.DemoUserToken })).StatusCode);
        using var emulator = new HttpClient { BaseAddress = new Uri(host.Host.Services.GetRequiredService<IOptions<OrleansSocial.Graph.GraphOptions>>().Value.BaseUrl) };
        // The Page's next call is refused with an expired token.
        (await emulator.PostAsJsonAsync("/__emulator/faults", new { objectId = "100000000000001", code = 190, subcode = 463, message = "Session has expired", remaining = 1 })).EnsureSuccessStatusCode();

        Assert.Equal(HttpStatusCode.Accepted, (await Api.TenantAsync(HttpMethod.Post, "/api/channels/fb-100000000000001/sync", tenant.Id, tenant.OwnerKey, new { kinds = new[] { "daily" } })).StatusCode);
        var received = await ReceivedAsync(() => Receiver.To(url), 4);

        var types = received.Select(r => JsonDocument.Parse(r.Body).RootElement).Select(b => (Type: b.GetProperty("type").GetString(), Channel: b.GetProperty("data").GetProperty("channelId").GetString())).ToList();
        Assert.Contains(("channel.connected", "fb-100000000000000"), types);
        Assert.Contains(("channel.connected", "fb-100000000000001"), types);
        Assert.Contains(("channel.needs_reauth", "fb-100000000000001"), types);
        Assert.Contains(("sync.failed", "fb-100000000000001"), types);
    }

    [Fact]
    public async Task Temporary_failures_are_retried_with_the_same_event_id_until_the_receiver_takes_it()
    {
        var tenant = await Api.CreateTenantAsync();
        var url = Receiver.Endpoint(503, 429, 500);
        var (id, _) = await RegisterAsync(tenant, url, "post.published");

        await Api.TenantAsync(HttpMethod.Post, $"/api/webhooks/{id}/test", tenant.Id, tenant.OwnerKey);
        var received = await ReceivedAsync(() => Receiver.To(url), 4);

        Assert.Single(received.Select(r => r.Headers["webhook-id"]).Distinct());
        var delivery = await DeliveryAsync(tenant, id, d => d.GetProperty("status").GetString() == "succeeded");
        Assert.Equal(4, delivery.GetProperty("attempts").GetInt32());
        // Backoff: each retry waited at least about its delay (100, 200, 300 ms, jitter ±20 %).
        Assert.True(received[3].At - received[0].At >= TimeSpan.FromMilliseconds(480), $"retries came too fast: {(received[3].At - received[0].At).TotalMilliseconds} ms");
    }

    [Fact]
    public async Task Permanent_failures_disable_the_endpoint_after_the_limit_announce_it_and_a_redelivery_succeeds_once_fixed()
    {
        var tenant = await Api.CreateTenantAsync();
        var broken = Receiver.Endpoint(400, 404, 410);
        var watcher = Receiver.Endpoint();
        var (id, _) = await RegisterAsync(tenant, broken, "post.published");
        await RegisterAsync(tenant, watcher, "webhook.disabled");

        for (var i = 0; i < 3; i++)
        {
            var test = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Post, $"/api/webhooks/{id}/test", tenant.Id, tenant.OwnerKey));
            var delivered = test.GetProperty("deliveryId").GetString();
            // 4xx other than 408 and 429 is permanent: one attempt, no retry.
            await DeliveryAsync(tenant, id, d => d.GetProperty("deliveryId").GetString() == delivered && d.GetProperty("status").GetString() == "failed" && d.GetProperty("attempts").GetInt32() == 1);
        }

        var disabled = JsonDocument.Parse(Assert.Single(await ReceivedAsync(() => Receiver.To(watcher), 1)).Body).RootElement;
        Assert.Equal("webhook.disabled", disabled.GetProperty("type").GetString());
        Assert.Equal(id, disabled.GetProperty("data").GetProperty("webhookId").GetString());
        var endpoint = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, $"/api/webhooks/{id}", tenant.Id, tenant.OwnerKey));
        Assert.False(endpoint.GetProperty("enabled").GetBoolean());
        var audit = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, "/api/audit?limit=100", tenant.Id, tenant.OwnerKey));
        Assert.Contains(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("action").GetString() == "webhook.disabled" && e.GetProperty("target").GetString() == id);

        // Re-enabled (the receiver fixed), one failed delivery sent again succeeds.
        Assert.Equal(HttpStatusCode.OK, (await Api.TenantAsync(HttpMethod.Patch, $"/api/webhooks/{id}", tenant.Id, tenant.OwnerKey, new { enabled = true })).StatusCode);
        var log = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, $"/api/webhooks/{id}/deliveries", tenant.Id, tenant.OwnerKey));
        var failed = log.GetProperty("items")[0].GetProperty("deliveryId").GetString();
        Assert.Equal(HttpStatusCode.Accepted, (await Api.TenantAsync(HttpMethod.Post, $"/api/webhooks/{id}/deliveries/{failed}/redeliver", tenant.Id, tenant.OwnerKey)).StatusCode);
        await DeliveryAsync(tenant, id, d => d.GetProperty("deliveryId").GetString() == failed && d.GetProperty("status").GetString() == "succeeded");
        Assert.Equal(4, Receiver.To(broken).Count);
    }

    [Fact]
    public async Task A_receiver_that_hangs_delays_neither_another_endpoint_nor_another_tenant()
    {
        var slowTenant = await Api.CreateTenantAsync();
        var quickTenant = await Api.CreateTenantAsync();
        var hanging = Receiver.Endpoint(WebhookReceiver.Hang, WebhookReceiver.Hang);
        var sameTenant = Receiver.Endpoint();
        var otherTenant = Receiver.Endpoint();
        var (slow, _) = await RegisterAsync(slowTenant, hanging, "post.published");
        var (neighbour, _) = await RegisterAsync(slowTenant, sameTenant, "post.published");
        var (other, _) = await RegisterAsync(quickTenant, otherTenant, "post.published");

        await Api.TenantAsync(HttpMethod.Post, $"/api/webhooks/{slow}/test", slowTenant.Id, slowTenant.OwnerKey);
        var hangingSince = (await ReceivedAsync(() => Receiver.To(hanging), 1))[0].At;
        await Api.TenantAsync(HttpMethod.Post, $"/api/webhooks/{neighbour}/test", slowTenant.Id, slowTenant.OwnerKey);
        await Api.TenantAsync(HttpMethod.Post, $"/api/webhooks/{other}/test", quickTenant.Id, quickTenant.OwnerKey);

        var arrived = (await ReceivedAsync(() => Receiver.To(sameTenant), 1))[0].At;
        var arrivedElsewhere = (await ReceivedAsync(() => Receiver.To(otherTenant), 1))[0].At;

        // Both before the hanging attempt could have timed out (Webhooks:Timeout, 10 s after it reached
        // the receiver): one queued behind it would arrive no sooner. Measured from the hang, not from
        // the asks, so a slow machine does not eat the margin.
        var timeout = new OrleansSocial.Grains.Webhooks.WebhookOptions().Timeout - TimeSpan.FromSeconds(1);
        Assert.True(arrived - hangingSince < timeout, $"{(arrived - hangingSince).TotalSeconds} s");
        Assert.True(arrivedElsewhere - hangingSince < timeout, $"{(arrivedElsewhere - hangingSince).TotalSeconds} s");
        Assert.Equal("pending", (await DeliveryAsync(slowTenant, slow, _ => true)).GetProperty("status").GetString());
    }

    public static TheoryData<string, string, string> WebhookRoutesByRole()
    {
        const string Missing = "wh_0000000000000000";
        string[] routes =
        [
            "GET /api/webhooks", "POST /api/webhooks", $"GET /api/webhooks/{Missing}", $"PATCH /api/webhooks/{Missing}", $"DELETE /api/webhooks/{Missing}",
            $"POST /api/webhooks/{Missing}/rotate-secret", $"POST /api/webhooks/{Missing}/test", $"GET /api/webhooks/{Missing}/deliveries",
            $"POST /api/webhooks/{Missing}/deliveries/evt_1.{Missing}/redeliver",
        ];
        var data = new TheoryData<string, string, string>();
        foreach (var role in new[] { "owner", "admin", "editor", "analyst", "viewer" })
        {
            foreach (var route in routes)
            {
                data.Add(role, route.Split(' ')[0], route.Split(' ')[1]);
            }
        }

        return data;
    }

    /// <summary>Every webhook route needs tenant:manage, which only owners hold among the built-in roles.</summary>
    [Theory]
    [MemberData(nameof(WebhookRoutesByRole))]
    public async Task Each_webhook_route_needs_tenant_manage(string role, string method, string path)
    {
        var tenant = await Api.CreateTenantAsync();
        var key = role == "owner" ? tenant.OwnerKey : (await Api.AddMemberAsync(tenant, role)).Key;
        var body = method == "POST" && path == "/api/webhooks" ? """{"url":"ftp://x","events":[]}""" : method == "PATCH" ? "{}" : null;

        var response = await Api.TenantAsync(new HttpMethod(method), path, tenant.Id, key, body);

        if (role == "owner")
        {
            Assert.True((int)response.StatusCode is 200 or 400 or 404, $"{role} {method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        else
        {
            Assert.Equal("tenant:manage", (await ProblemAssert.IsProblemAsync(response, 403)).GetProperty("permission").GetString());
        }
    }

    [Fact]
    public async Task Bad_registrations_are_refused_naming_the_field()
    {
        var tenant = await Api.CreateTenantAsync();

        Assert.Equal("events[1]", (await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Post, "/api/webhooks", tenant.Id, tenant.OwnerKey,
            new { url = Receiver.Endpoint(), events = new[] { "post.published", "post.exploded" } }), 400)).GetProperty("field").GetString());
        Assert.Equal("events", (await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Post, "/api/webhooks", tenant.Id, tenant.OwnerKey,
            new { url = Receiver.Endpoint(), events = Array.Empty<string>() }), 400)).GetProperty("field").GetString());
        Assert.Equal("url", (await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Post, "/api/webhooks", tenant.Id, tenant.OwnerKey,
            new { url = "ftp://example.com/hook", events = new[] { "post.published" } }), 400)).GetProperty("field").GetString());
        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Get, "/api/webhooks/wh_0000000000000000", tenant.Id, tenant.OwnerKey), 404);
        var (_, editorKey) = await Api.AddMemberAsync(tenant, "editor");
        Assert.Equal("tenant:manage", (await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Get, "/api/webhooks", tenant.Id, editorKey), 403)).GetProperty("permission").GetString());
    }
}
