using System.Net;
using System.Text.Json;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Inbox;

/// <summary>
/// Meta's webhooks in, over HTTP against the emulator playing Meta: the handshake, signatures, routing
/// to every tenant that connected the Page and to no other, replays, and reconciliation with the sync.
/// </summary>
public sealed class MetaWebhookTests(InboxHost host) : IClassFixture<InboxHost>
{
    private static string Unique(string text) => $"{text} {Guid.NewGuid():N}";

    private static string Feed(string commentId, string postId, string message, string verb = "add", string? parentId = null) => JsonSerializer.Serialize(new
    {
        @object = "page",
        entry = new[]
        {
            new
            {
                id = InboxHost.PageId,
                time = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                changes = new[]
                {
                    new
                    {
                        field = "feed",
                        value = new
                        {
                            item = "comment", verb, comment_id = commentId, post_id = postId, parent_id = parentId ?? postId,
                            from = new { id = "6000000000000001", name = "Jamie Example" }, message, created_time = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                        },
                    },
                },
            },
        },
    });

    [Fact]
    public async Task The_handshake_echoes_the_challenge_only_for_our_verify_token()
    {
        var ok = await host.Api.Http.GetAsync($"/webhooks/meta?hub.mode=subscribe&hub.verify_token={InboxHost.VerifyToken}&hub.challenge=730115529");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("730115529", await ok.Content.ReadAsStringAsync());

        foreach (var query in new[]
        {
            "hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1",
            "hub.mode=unsubscribe&hub.verify_token=" + InboxHost.VerifyToken + "&hub.challenge=1",
            "hub.mode=subscribe&hub.challenge=1",
            "hub.mode=subscribe&hub.verify_token=" + InboxHost.VerifyToken + "&hub.challenge=%3Cscript%3E",
        })
        {
            await ProblemAssert.IsProblemAsync(await host.Api.Http.GetAsync($"/webhooks/meta?{query}"), 403);
        }
    }

    [Fact]
    public async Task Forged_altered_and_unsigned_notifications_are_refused_and_record_nothing()
    {
        var tenant = await host.TenantWithChannelsAsync();
        var post = $"{InboxHost.PageId}_200000000000001";
        var forged = "200000000000001_" + Random.Shared.NextInt64(10_000_000_000, 99_999_999_999);
        var body = Feed(forged, post, "forged");

        await ProblemAssert.IsProblemAsync(await host.PostSignedAsync(body, secret: null), 401);
        await ProblemAssert.IsProblemAsync(await host.PostSignedAsync(body, secret: "not-the-app-secret"), 401);
        await ProblemAssert.IsProblemAsync(await host.PostSignedAsync(body, alter: body.Replace("forged", "altered", StringComparison.Ordinal)), 401);

        // A genuine notification sent after them arrives; the refused ones never do.
        var genuine = "200000000000001_" + Random.Shared.NextInt64(10_000_000_000, 99_999_999_999);
        Assert.Equal(HttpStatusCode.OK, (await host.PostSignedAsync(Feed(genuine, post, Unique("genuine")))).StatusCode);
        await host.ConversationAsync(tenant, $"{InboxHost.Page}.{genuine}");
        var missing = await host.Api.TenantAsync(HttpMethod.Get, $"/api/inbox/{InboxHost.Page}.{forged}", tenant.Id, tenant.OwnerKey);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains(host.Host.Logs.Lines, l => l.Contains("Meta webhook refused (bad_signature)", StringComparison.Ordinal));
        Assert.Contains(host.Host.Logs.Lines, l => l.Contains("Meta webhook refused (unsigned)", StringComparison.Ordinal));
        Assert.DoesNotContain(host.Host.Logs.Lines, l => l.Contains(InboxHost.AppSecret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_fans_comment_reaches_every_tenant_that_connected_the_page_and_no_other()
    {
        var agency = await host.TenantWithChannelsAsync();
        var brand = await host.TenantWithChannelsAsync();
        var world = JsonDocument.Parse(await host.Emulator.GetStringAsync("/__emulator/world")).RootElement;
        var otherUser = world.GetProperty("users")[1].GetProperty("shortLivedToken").GetString()!;
        var stranger = await host.TenantWithChannelsAsync(otherUser);

        var text = Unique("Do you deliver on Sundays?");
        var commentId = await host.FanCommentAsync($"{InboxHost.PageId}_200000000000002", text);
        var conversationId = $"{InboxHost.Page}.{commentId}";
        foreach (var tenant in new[] { agency, brand })
        {
            var conversation = await host.ConversationAsync(tenant, conversationId);
            Assert.Equal(text, conversation.GetProperty("text").GetString());
            Assert.Equal("open", conversation.GetProperty("status").GetString());
            Assert.Equal("Jamie Example", conversation.GetProperty("author").GetProperty("name").GetString());
            var inbox = await host.InboxAsync(tenant, "?status=open");
            Assert.Contains(inbox.GetProperty("items").EnumerateArray(), c => c.GetProperty("conversationId").GetString() == conversationId);
        }

        // The stranger's channels hold other Pages: its inbox never has the comment, by id or in the list.
        var strangerInbox = await host.InboxAsync(stranger);
        Assert.DoesNotContain(strangerInbox.GetProperty("items").EnumerateArray(), c => c.GetProperty("text").GetString() == text);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Api.TenantAsync(HttpMethod.Get, $"/api/inbox/{conversationId}", stranger.Id, stranger.OwnerKey)).StatusCode);
    }

    [Fact]
    public async Task Replayed_and_duplicated_notifications_change_nothing()
    {
        var tenant = await host.TenantWithChannelsAsync();
        var post = $"{InboxHost.PageId}_200000000000003";
        var comment = "200000000000003_" + Random.Shared.NextInt64(10_000_000_000, 99_999_999_999);
        var reply = "200000000000003_" + Random.Shared.NextInt64(10_000_000_000, 99_999_999_999);
        var first = Feed(comment, post, Unique("first"));
        var answer = Feed(reply, post, Unique("a fan's reply"), parentId: comment);
        foreach (var body in new[] { first, answer, first, answer, first })
        {
            Assert.Equal(HttpStatusCode.OK, (await host.PostSignedAsync(body)).StatusCode);
        }

        // The same change in other bytes (Meta resends with a new entry.time): still one reply.
        Assert.Equal(HttpStatusCode.OK, (await host.PostSignedAsync(answer.Replace("\"time\":", "\"time\": ", StringComparison.Ordinal))).StatusCode);
        var conversationId = $"{InboxHost.Page}.{comment}";
        var conversation = await host.ConversationAsync(tenant, conversationId, c => c.GetProperty("replies").GetArrayLength() > 0);

        // A later notification, once routed, says the replays before it were taken too.
        var sentinel = "200000000000003_" + Random.Shared.NextInt64(10_000_000_000, 99_999_999_999);
        Assert.Equal(HttpStatusCode.OK, (await host.PostSignedAsync(Feed(sentinel, post, Unique("sentinel")))).StatusCode);
        await host.ConversationAsync(tenant, $"{InboxHost.Page}.{sentinel}");
        var again = await host.ConversationAsync(tenant, conversationId);
        Assert.Single(again.GetProperty("replies").EnumerateArray());
        Assert.Equal(conversation.GetProperty("lastActivityAt").GetString(), again.GetProperty("lastActivityAt").GetString());
        var list = await host.InboxAsync(tenant, "?channelId=" + InboxHost.Page);
        Assert.Single(list.GetProperty("items").EnumerateArray(), c => c.GetProperty("conversationId").GetString() == conversationId);
    }

    [Fact]
    public async Task A_comment_seen_by_webhook_and_again_by_sync_is_one_conversation_and_one_missed_by_webhooks_arrives_with_the_sync()
    {
        var tenant = await host.TenantWithChannelsAsync();
        var post = await host.PagePostAsync(Unique("Fresh croissants today"));
        var seen = await host.FanCommentAsync(post, Unique("By webhook"));
        await host.ConversationAsync(tenant, $"{InboxHost.Page}.{seen}");

        // Uninstall the app from the Page for a moment: this comment gets no webhook.
        var token = await host.PageTokenAsync();
        Assert.True((await host.Emulator.DeleteAsync($"/v25.0/{InboxHost.PageId}/subscribed_apps?access_token={token}")).IsSuccessStatusCode);
        var missed = await host.FanCommentAsync(post, Unique("Missed by webhooks"));
        Assert.True((await host.Emulator.PostAsync($"/v25.0/{InboxHost.PageId}/subscribed_apps",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["subscribed_fields"] = "feed", ["access_token"] = token }))).IsSuccessStatusCode);

        var sync = await host.Api.TenantAsync(HttpMethod.Post, $"/api/channels/{InboxHost.Page}/sync", tenant.Id, tenant.OwnerKey, new { kinds = new[] { "daily" } });
        Assert.True(sync.IsSuccessStatusCode, await sync.Content.ReadAsStringAsync());
        await host.ConversationAsync(tenant, $"{InboxHost.Page}.{missed}");
        var inbox = await host.InboxAsync(tenant, $"?channelId={InboxHost.Page}&limit=100");
        var ours = inbox.GetProperty("items").EnumerateArray().Where(c => c.GetProperty("post").GetProperty("postId").GetString() == post).ToList();
        Assert.Equal(2, ours.Count);
        Assert.Single(ours, c => c.GetProperty("commentId").GetString() == seen);
    }

    [Fact]
    public async Task Signed_hostile_bodies_are_taken_without_harm_and_an_oversized_one_is_413()
    {
        var tenant = await host.TenantWithChannelsAsync();
        string[] hostile =
        [
            "null", "[]", "\"text\"", "{}", "{\"entry\":null}", "{\"object\":\"page\",\"entry\":[null,1,\"x\",{\"id\":null,\"changes\":null}]}",
            "{\"object\":\"page\",\"entry\":[{\"id\":\"100000000000000\",\"time\":\"soon\",\"changes\":[null,{\"field\":\"feed\",\"value\":null},"
                + "{\"field\":\"feed\",\"value\":{\"item\":\"comment\",\"verb\":\"add\",\"comment_id\":null,\"post_id\":null,\"from\":null,\"created_time\":null}},"
                + "{\"field\":\"feed\",\"value\":{\"item\":\"comment\",\"verb\":\"obliterate\",\"comment_id\":\"1_2\",\"post_id\":\"1_3\"}},"
                + "{\"field\":\"feed\",\"value\":{\"item\":\"comment\",\"verb\":\"add\",\"comment_id\":\"../../x\",\"post_id\":\"1_3\",\"message\":{\"a\":1}}}]}]}",
            "{\"object\":\"instagram\",\"entry\":[{\"id\":\"17841400000000000\",\"changes\":[{\"field\":\"comments\",\"value\":{\"id\":\"17850000000000003\",\"media\":null}}]}]}",
            new string('[', 5000) + new string(']', 5000),
            "not json at all \u0000",
        ];
        foreach (var body in hostile)
        {
            var response = await host.PostSignedAsync(body);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} for {body[..Math.Min(body.Length, 60)]}");
        }

        var large = "{\"object\":\"page\",\"entry\":[],\"pad\":\"" + new string('x', 40 * 1024) + "\"}";
        Assert.Equal(HttpStatusCode.OK, (await host.PostSignedAsync(large)).StatusCode);
        var huge = "{\"object\":\"page\",\"entry\":[],\"pad\":\"" + new string('x', 80 * 1024) + "\"}";
        await ProblemAssert.IsProblemAsync(await host.PostSignedAsync(huge), 413);

        // Still taking genuine ones, and nothing above became a conversation.
        var genuine = await host.FanCommentAsync($"{InboxHost.PageId}_200000000000012", Unique("after the storm"));
        await host.ConversationAsync(tenant, $"{InboxHost.Page}.{genuine}");
        var inbox = await host.InboxAsync(tenant, "?limit=100");
        Assert.DoesNotContain(inbox.GetProperty("items").EnumerateArray(), c => c.GetProperty("commentId").GetString() is "1_2" or "../../x");
        Assert.DoesNotContain(host.Host.Logs.Lines, l => l.Contains("Unhandled", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_suspended_tenant_takes_no_comments_and_gets_them_again_once_active()
    {
        var tenant = await host.TenantWithChannelsAsync();
        var witness = await host.TenantWithChannelsAsync();
        Assert.True((await host.Api.OperatorAsync(HttpMethod.Post, $"/admin/tenants/{tenant.Id}/suspend", new { reason = "unpaid" })).IsSuccessStatusCode);
        var during = await host.FanCommentAsync($"{InboxHost.PageId}_200000000000013", Unique("while suspended"));
        await host.ConversationAsync(witness, $"{InboxHost.Page}.{during}");
        Assert.True((await host.Api.OperatorAsync(HttpMethod.Post, $"/admin/tenants/{tenant.Id}/activate")).IsSuccessStatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Api.TenantAsync(HttpMethod.Get, $"/api/inbox/{InboxHost.Page}.{during}", tenant.Id, tenant.OwnerKey)).StatusCode);

        var after = await host.FanCommentAsync($"{InboxHost.PageId}_200000000000013", Unique("after activation"));
        await host.ConversationAsync(tenant, $"{InboxHost.Page}.{after}");
    }

    [Fact]
    public async Task The_page_stays_subscribed_while_any_tenant_holds_it_and_is_unsubscribed_with_the_last_channel()
    {
        var world = JsonDocument.Parse(await host.Emulator.GetStringAsync("/__emulator/world")).RootElement;
        var user = world.GetProperty("users")[2];
        var token = user.GetProperty("shortLivedToken").GetString()!;
        var pageId = user.GetProperty("pages")[0].GetProperty("id").GetString()!;
        var first = await host.TenantWithChannelsAsync(token);
        var second = await host.TenantWithChannelsAsync(token);
        async Task<JsonElement> FieldsAsync() => JsonDocument.Parse(await host.Emulator.GetStringAsync($"/__emulator/webhooks/subscribed-apps/{pageId}")).RootElement.GetProperty("fields");
        Assert.Contains("feed", (await FieldsAsync()).EnumerateArray().Select(f => f.GetString()));

        foreach (var (tenant, stays) in new[] { (first, true), (second, true) })
        {
            foreach (var channel in new[] { $"fb-{pageId}", $"ig-{user.GetProperty("pages")[0].GetProperty("instagramId").GetString()}" })
            {
                var deleted = await host.Api.TenantAsync(HttpMethod.Delete, $"/api/channels/{channel}", tenant.Id, tenant.OwnerKey);
                Assert.True(deleted.IsSuccessStatusCode, await deleted.Content.ReadAsStringAsync());
            }

            if (tenant == first)
            {
                Assert.Equal(JsonValueKind.Array, (await FieldsAsync()).ValueKind);
            }
        }

        Assert.Equal(JsonValueKind.Null, (await FieldsAsync()).ValueKind);
    }
}
