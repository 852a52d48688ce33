using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansSocial.Graph;
using OrleansSocial.GraphEmulator.World;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Inbox;

/// <summary>
/// A host whose embedded emulator plays Meta: the host registers its own /webhooks/meta with it at
/// start, and fans' comments reach it as signed webhook POSTs, retried every second when refused.
/// </summary>
public sealed class InboxHost : TenancyHost
{
    public const string VerifyToken = "inbox-test-verify-token";
    public const string AppSecret = "emulator-app-secret";
    public const string PageId = "100000000000000";
    public const string Page = "fb-" + PageId;
    public const string InstagramId = "17841400000000000";
    public const string Instagram = "ig-" + InstagramId;

    protected override IReadOnlyDictionary<string, string?> ExtraSettings { get; } = new Dictionary<string, string?>
    {
        ["Graph:WebhookVerifyToken"] = VerifyToken,
        ["Emulator:WebhookRetryEvery"] = "00:00:01",
        ["Orleans:MinimumReminderPeriod"] = "00:00:01",
        ["Webhooks:AllowPrivateNetworks"] = "true",
        ["Webhooks:ReminderPeriod"] = "00:00:01",
        // Small enough that an oversized test body fits the loopback socket buffers before the 413 comes back.
        ["Graph:MaxBodyBytes"] = "65536",
        // Below Meta's bound: a notification may be larger than any API request.
        ["Api:MaxRequestBodyBytes"] = "16384",
        // No scheduled syncs: tests start the syncs they need.
        ["Sync:InitialSyncWindow"] = "1.00:00:00",
    };

    /// <summary>The tenants' own webhook endpoints, where comment.* events arrive.</summary>
    public WebhookReceiver Receiver { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Receiver = await WebhookReceiver.StartAsync();
        await MetaCallbackRegisteredAsync();
    }

    public override async Task DisposeAsync()
    {
        await Receiver.DisposeAsync();
        await base.DisposeAsync();
    }

    public async Task<ApiClient.Tenant> TenantWithChannelsAsync(string? userToken = null)
    {
        var tenant = await Api.CreateTenantAsync();
        foreach (var kind in new[] { "facebook", "instagram" })
        {
            var response = await Api.TenantAsync(HttpMethod.Post, $"/api/channels/{kind}", tenant.Id, tenant.OwnerKey, new { userAccessToken = userToken ?? TokenStore.DemoUserToken });
            Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        }

        return tenant;
    }

    /// <summary>A fan's comment (or reply, when <paramref name="on"/> is a comment id) made on the emulator; returns its id.</summary>
    public async Task<string> FanCommentAsync(string on, string message, string fromName = "Jamie Example")
    {
        var response = await Emulator.PostAsJsonAsync("/__emulator/comments", new { on, message, fromName });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
    }

    public async Task<JsonElement> EmulatorCommentAsync(string commentId) =>
        JsonDocument.Parse(await Emulator.GetStringAsync($"/__emulator/comments/{commentId}")).RootElement.Clone();

    public async Task<JsonElement> InboxAsync(ApiClient.Tenant tenant, string query = "") =>
        await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, $"/api/inbox{query}", tenant.Id, tenant.OwnerKey));

    /// <summary>The tenant's conversation of a comment, once it is there.</summary>
    public Task<JsonElement> ConversationAsync(ApiClient.Tenant tenant, string conversationId, Func<JsonElement, bool>? until = null) =>
        Eventually.ValueAsync(async () =>
        {
            var response = await Api.TenantAsync(HttpMethod.Get, $"/api/inbox/{conversationId}", tenant.Id, tenant.OwnerKey);
            return response.IsSuccessStatusCode ? (await ApiClient.JsonAsync(response)) : default;
        }, c => c.ValueKind == JsonValueKind.Object && (until?.Invoke(c) ?? true), TimeSpan.FromSeconds(30));

    public async Task<HttpResponseMessage> PostSignedAsync(string body, string? secret = AppSecret, string? alter = null)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/meta")
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(alter ?? body)) { Headers = { ContentType = new("application/json") } },
        };
        if (secret is not null)
        {
            request.Headers.Add("X-Hub-Signature-256", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), bytes)));
        }

        return await Api.Http.SendAsync(request);
    }

    /// <summary>A Page post made now through Graph as the Page (so syncs read it as recent); returns its id.</summary>
    public async Task<string> PagePostAsync(string message)
    {
        var token = await PageTokenAsync();
        var response = await Emulator.PostAsync($"/v25.0/{PageId}/feed", new FormUrlEncodedContent(new Dictionary<string, string> { ["message"] = message, ["access_token"] = token }));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
    }

    public async Task<string> PageTokenAsync()
    {
        var accounts = JsonDocument.Parse(await Emulator.GetStringAsync($"/v25.0/me/accounts?access_token={TokenStore.DemoUserToken}")).RootElement;
        return accounts.GetProperty("data").EnumerateArray().First(a => a.GetProperty("id").GetString() == PageId).GetProperty("access_token").GetString()!;
    }

    public async Task FaultAsync(object fault) =>
        Assert.Equal(HttpStatusCode.Created, (await Emulator.PostAsJsonAsync("/__emulator/faults", fault)).StatusCode);
}
