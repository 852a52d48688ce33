using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansSocial.Graph;
using OrleansSocial.GraphEmulator.World;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Inbox;

/// <summary>A host without Meta's webhooks (no verify token): channels poll their recent comments into the inbox.</summary>
public sealed class PollingHost : TenancyHost
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings { get; } = new Dictionary<string, string?>
    {
        ["Graph:WebhookVerifyToken"] = "",
        ["Orleans:MinimumReminderPeriod"] = "00:00:01",
        ["Sync:CommentPollPeriod"] = "00:00:02",
        ["Sync:InitialSyncWindow"] = "1.00:00:00",
    };
}

public sealed class CommentPollingTests(PollingHost host) : IClassFixture<PollingHost>
{
    [Fact]
    public async Task Without_webhooks_the_handshake_is_refused_the_page_is_not_subscribed_and_a_new_comment_arrives_by_polling()
    {
        await ProblemAssert.IsProblemAsync(await host.Api.Http.GetAsync("/webhooks/meta?hub.mode=subscribe&hub.verify_token=&hub.challenge=1"), 403);
        var tenant = await host.Api.CreateTenantAsync();
        var connected = await host.Api.TenantAsync(HttpMethod.Post, "/api/channels/facebook", tenant.Id, tenant.OwnerKey, new { userAccessToken = TokenStore.DemoUserToken });
        Assert.Equal(HttpStatusCode.Created, connected.StatusCode);

        using var emulator = new HttpClient { BaseAddress = new Uri(host.Host.Services.GetRequiredService<IOptions<GraphOptions>>().Value.BaseUrl) };
        var fields = JsonDocument.Parse(await emulator.GetStringAsync($"/__emulator/webhooks/subscribed-apps/{InboxHost.PageId}")).RootElement.GetProperty("fields");
        Assert.Equal(JsonValueKind.Null, fields.ValueKind);

        // A post made now, and a fan's comment on it: no webhook can bring it, the poll does.
        var accounts = JsonDocument.Parse(await emulator.GetStringAsync($"/v25.0/me/accounts?access_token={TokenStore.DemoUserToken}")).RootElement;
        var token = accounts.GetProperty("data").EnumerateArray().First(a => a.GetProperty("id").GetString() == InboxHost.PageId).GetProperty("access_token").GetString()!;
        var posted = await emulator.PostAsync($"/v25.0/{InboxHost.PageId}/feed",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["message"] = $"Polled post {Guid.NewGuid():N}", ["access_token"] = token }));
        var postId = JsonDocument.Parse(await posted.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        var created = await emulator.PostAsJsonAsync("/__emulator/comments", new { on = postId, message = "Found by polling?" });
        var commentId = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;

        await Eventually.UntilAsync(async () =>
            (await host.Api.TenantAsync(HttpMethod.Get, $"/api/inbox/{InboxHost.Page}.{commentId}", tenant.Id, tenant.OwnerKey)).IsSuccessStatusCode, TimeSpan.FromSeconds(30));
    }
}
