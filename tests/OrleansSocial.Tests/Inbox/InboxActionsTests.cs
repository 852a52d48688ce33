using System.Net;
using System.Text.Json;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Inbox;

/// <summary>
/// The team answers from the inbox: replies land on the emulator exactly once (also when the connection
/// drops after the platform acted), hide, unhide and delete land there, status and assignee, and each
/// action needs its permission.
/// </summary>
public sealed class InboxActionsTests(InboxHost host) : IClassFixture<InboxHost>
{
    private static string Unique(string text) => $"{text} {Guid.NewGuid():N}";

    private async Task<(ApiClient.Tenant Tenant, string CommentId, string ConversationId)> ConversationAsync(string on)
    {
        var tenant = await host.TenantWithChannelsAsync();
        var commentId = await host.FanCommentAsync(on, Unique("Which flour do you use?"));
        var channel = on.Contains('_') ? InboxHost.Page : InboxHost.Instagram;
        var conversationId = $"{channel}.{commentId}";
        await host.ConversationAsync(tenant, conversationId);
        return (tenant, commentId, conversationId);
    }

    private Task<HttpResponseMessage> ReplyAsync(ApiClient.Tenant tenant, string conversationId, string text, string? key = null, string? apiKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/inbox/{conversationId}/replies")
        {
            Content = JsonContent(new { text }),
        };
        request.Headers.Add("x-tenant-id", tenant.Id);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", apiKey ?? tenant.OwnerKey);
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        return host.Api.Http.SendAsync(request);
    }

    private static StringContent JsonContent(object body) => new(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");

    private Task<JsonElement> SettledReplyAsync(ApiClient.Tenant tenant, string conversationId, string replyId) =>
        host.ConversationAsync(tenant, conversationId, c => c.GetProperty("replies").EnumerateArray()
            .Any(r => r.GetProperty("replyId").GetString() == replyId && r.GetProperty("delivery").GetString() != "sending"));

    private static JsonElement Reply(JsonElement conversation, string replyId) =>
        conversation.GetProperty("replies").EnumerateArray().Single(r => r.GetProperty("replyId").GetString() == replyId);

    [Theory]
    [InlineData("100000000000000_200000000000004")]
    [InlineData("17900000000000004")]
    public async Task A_reply_lands_once_as_the_page_or_account_and_a_retry_with_the_same_key_is_the_same_reply(string on)
    {
        var (tenant, commentId, conversationId) = await ConversationAsync(on);
        var text = Unique("Thanks! Stone-ground spelt.");
        var accepted = await ReplyAsync(tenant, conversationId, text, key: "reply-1");
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var reply = await ApiClient.JsonAsync(accepted);
        var replyId = reply.GetProperty("replyId").GetString()!;
        var retried = await ApiClient.JsonAsync(await ReplyAsync(tenant, conversationId, text, key: "reply-1"));
        Assert.Equal(replyId, retried.GetProperty("replyId").GetString());
        await ProblemAssert.IsProblemAsync(await ReplyAsync(tenant, conversationId, "another text", key: "reply-1"), 422);

        var sent = Reply(await SettledReplyAsync(tenant, conversationId, replyId), replyId);
        Assert.Equal("sent", sent.GetProperty("delivery").GetString());
        var onPlatform = (await host.EmulatorCommentAsync(commentId)).GetProperty("replies").EnumerateArray().Where(r => r.GetProperty("message").GetString() == text).ToList();
        var landed = Assert.Single(onPlatform);
        Assert.Equal(sent.GetProperty("commentId").GetString(), landed.GetProperty("id").GetString());
        Assert.Equal(on.Contains('_') ? InboxHost.PageId : InboxHost.InstagramId, landed.GetProperty("fromId").GetString());
    }

    [Fact]
    public async Task A_reply_whose_connection_drops_after_the_server_acted_is_exactly_one_reply_on_the_platform()
    {
        var (tenant, commentId, conversationId) = await ConversationAsync("100000000000000_200000000000005");
        await host.FaultAsync(new { method = "POST", pathPrefix = $"{commentId}/comments", dropAfterProcessing = true, remaining = 1 });
        var text = Unique("We deliver on Sundays until noon.");
        var accepted = await ReplyAsync(tenant, conversationId, text);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var replyId = (await ApiClient.JsonAsync(accepted)).GetProperty("replyId").GetString()!;

        var sent = Reply(await SettledReplyAsync(tenant, conversationId, replyId), replyId);
        Assert.Equal("sent", sent.GetProperty("delivery").GetString());
        var landed = (await host.EmulatorCommentAsync(commentId)).GetProperty("replies").EnumerateArray().Where(r => r.GetProperty("message").GetString() == text).ToList();
        Assert.Single(landed);
        Assert.Equal(landed[0].GetProperty("id").GetString(), sent.GetProperty("commentId").GetString());
        Assert.Contains(host.Host.Logs.Lines, l => l.Contains(replyId, StringComparison.Ordinal) && l.Contains("adopted after read-back", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Hide_unhide_and_delete_land_on_the_platform_and_a_comment_already_deleted_there_is_settled()
    {
        var (tenant, commentId, conversationId) = await ConversationAsync("100000000000000_200000000000006");
        var hidden = await ApiClient.JsonAsync(await host.Api.TenantAsync(HttpMethod.Post, $"/api/inbox/{conversationId}/hide", tenant.Id, tenant.OwnerKey));
        Assert.True(hidden.GetProperty("hidden").GetBoolean());
        Assert.True((await host.EmulatorCommentAsync(commentId)).GetProperty("hidden").GetBoolean());
        var shown = await ApiClient.JsonAsync(await host.Api.TenantAsync(HttpMethod.Post, $"/api/inbox/{conversationId}/unhide", tenant.Id, tenant.OwnerKey));
        Assert.False(shown.GetProperty("hidden").GetBoolean());
        Assert.False((await host.EmulatorCommentAsync(commentId)).GetProperty("hidden").GetBoolean());

        var deleted = await host.Api.TenantAsync(HttpMethod.Delete, $"/api/inbox/{conversationId}", tenant.Id, tenant.OwnerKey);
        Assert.True(deleted.IsSuccessStatusCode, await deleted.Content.ReadAsStringAsync());
        Assert.True((await host.EmulatorCommentAsync(commentId)).GetProperty("deleted").GetBoolean());
        var again = await host.Api.TenantAsync(HttpMethod.Delete, $"/api/inbox/{conversationId}", tenant.Id, tenant.OwnerKey);
        Assert.True(again.IsSuccessStatusCode, await again.Content.ReadAsStringAsync());

        // Deleted on the platform by someone else first: our delete settles it.
        var (other, otherComment, otherConversation) = await ConversationAsync("100000000000000_200000000000007");
        var removed = await host.Emulator.PostAsync("/__emulator/comments", JsonContent(new { commentId = otherComment, verb = "remove" }));
        Assert.True(removed.IsSuccessStatusCode);
        var settled = await host.Api.TenantAsync(HttpMethod.Delete, $"/api/inbox/{otherConversation}", other.Id, other.OwnerKey);
        Assert.True(settled.IsSuccessStatusCode, await settled.Content.ReadAsStringAsync());
        Assert.True((await ApiClient.JsonAsync(settled)).GetProperty("deleted").GetBoolean());
    }

    [Fact]
    public async Task Status_and_assignee_change_and_the_inbox_filters_by_them()
    {
        var (tenant, _, conversationId) = await ConversationAsync("100000000000000_200000000000008");
        var (editorId, _) = await host.Api.AddMemberAsync(tenant, "editor");
        var changed = await ApiClient.JsonAsync(await host.Api.TenantAsync(HttpMethod.Patch, $"/api/inbox/{conversationId}", tenant.Id, tenant.OwnerKey,
            new { status = "done", assigneeId = editorId }));
        Assert.Equal("done", changed.GetProperty("status").GetString());
        Assert.Equal(editorId, changed.GetProperty("assigneeId").GetString());

        Assert.Contains((await host.InboxAsync(tenant, $"?assigneeId={editorId}")).GetProperty("items").EnumerateArray(), c => c.GetProperty("conversationId").GetString() == conversationId);
        Assert.Contains((await host.InboxAsync(tenant, "?status=done")).GetProperty("items").EnumerateArray(), c => c.GetProperty("conversationId").GetString() == conversationId);
        Assert.DoesNotContain((await host.InboxAsync(tenant, "?status=open")).GetProperty("items").EnumerateArray(), c => c.GetProperty("conversationId").GetString() == conversationId);

        // A fan's new reply reopens it.
        await host.FanCommentAsync(conversationId.Split('.')[1], Unique("Still waiting"));
        await host.ConversationAsync(tenant, conversationId, c => c.GetProperty("status").GetString() == "open");

        var outsider = await host.Api.CreateTenantAsync();
        await ProblemAssert.IsProblemAsync(await host.Api.TenantAsync(HttpMethod.Patch, $"/api/inbox/{conversationId}", tenant.Id, tenant.OwnerKey,
            new { assigneeId = outsider.OwnerMemberId }), 400);
        await ProblemAssert.IsProblemAsync(await host.Api.TenantAsync(HttpMethod.Patch, $"/api/inbox/{conversationId}", tenant.Id, tenant.OwnerKey, new { status = "archived" }), 400);
        await ProblemAssert.IsProblemAsync(await host.Api.TenantAsync(HttpMethod.Get, "/api/inbox?status=closed", tenant.Id, tenant.OwnerKey), 400);
        await ProblemAssert.IsProblemAsync(await host.Api.TenantAsync(HttpMethod.Get, "/api/inbox/not-a-conversation", tenant.Id, tenant.OwnerKey), 404);
    }

    [Fact]
    public async Task Each_action_needs_its_permission_and_every_action_is_audited()
    {
        var (tenant, _, conversationId) = await ConversationAsync("100000000000000_200000000000009");
        var (_, viewer) = await host.Api.AddMemberAsync(tenant, "viewer");
        var (_, analyst) = await host.Api.AddMemberAsync(tenant, "analyst");
        var (_, editor) = await host.Api.AddMemberAsync(tenant, "editor");

        // Every inbox route, against the roles below the one it needs: 403, and nothing done.
        var routes = new (HttpMethod Method, string Path, object? Body, string[] Refused)[]
        {
            (HttpMethod.Get, "/api/inbox", null, [viewer]),
            (HttpMethod.Get, $"/api/inbox/{conversationId}", null, [viewer]),
            (HttpMethod.Patch, $"/api/inbox/{conversationId}", new { status = "done" }, [viewer, analyst]),
            (HttpMethod.Post, $"/api/inbox/{conversationId}/replies", new { text = "refused" }, [viewer, analyst]),
            (HttpMethod.Post, $"/api/inbox/{conversationId}/hide", null, [viewer, analyst, editor]),
            (HttpMethod.Post, $"/api/inbox/{conversationId}/unhide", null, [viewer, analyst, editor]),
            (HttpMethod.Delete, $"/api/inbox/{conversationId}", null, [viewer, analyst, editor]),
        };
        foreach (var (method, path, body, refused) in routes)
        {
            foreach (var key in refused)
            {
                await ProblemAssert.IsProblemAsync(await host.Api.TenantAsync(method, path, tenant.Id, key, body), 403);
            }
        }

        var untouched = await host.ConversationAsync(tenant, conversationId);
        Assert.Equal("open", untouched.GetProperty("status").GetString());
        Assert.False(untouched.GetProperty("hidden").GetBoolean());
        Assert.False(untouched.GetProperty("deleted").GetBoolean());
        Assert.Empty(untouched.GetProperty("replies").EnumerateArray());
        Assert.True((await host.Api.TenantAsync(HttpMethod.Get, "/api/inbox", tenant.Id, analyst)).IsSuccessStatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await ReplyAsync(tenant, conversationId, Unique("from an editor"), apiKey: editor)).StatusCode);
        await ProblemAssert.IsProblemAsync(await ReplyAsync(tenant, conversationId, "   "), 400);

        var audit = await ApiClient.JsonAsync(await host.Api.TenantAsync(HttpMethod.Get, "/api/audit?limit=100", tenant.Id, tenant.OwnerKey));
        Assert.Contains(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("action").GetString() == "conversation.reply" && e.GetProperty("target").GetString() == conversationId);
    }

    [Fact]
    public async Task A_reply_refused_for_the_token_fails_needs_reauth_and_later_replies_of_that_channel_fail_with_that_reason()
    {
        var (tenant, commentId, conversationId) = await ConversationAsync("100000000000000_200000000000010");
        await host.FaultAsync(new { method = "POST", pathPrefix = $"{commentId}/comments", code = 190, subcode = 460, remaining = 1 });
        foreach (var attempt in new[] { "refused by Graph", "refused before Graph" })
        {
            var accepted = await ReplyAsync(tenant, conversationId, Unique(attempt));
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            var replyId = (await ApiClient.JsonAsync(accepted)).GetProperty("replyId").GetString()!;
            var failed = Reply(await SettledReplyAsync(tenant, conversationId, replyId), replyId);
            Assert.Equal("failed", failed.GetProperty("delivery").GetString());
            Assert.Equal("needs_reauth", failed.GetProperty("failureReason").GetString());
        }

        var channel = await ApiClient.JsonAsync(await host.Api.TenantAsync(HttpMethod.Get, $"/api/channels/{InboxHost.Page}", tenant.Id, tenant.OwnerKey));
        Assert.Equal("needs_reauth", channel.GetProperty("status").GetString());
        Assert.Empty((await host.EmulatorCommentAsync(commentId)).GetProperty("replies").EnumerateArray());
    }

    [Fact]
    public async Task The_tenants_endpoints_hear_of_a_received_comment_once_and_of_each_reply_sent_or_failed()
    {
        var tenant = await host.TenantWithChannelsAsync();
        var url = host.Receiver.Endpoint();
        var registered = await host.Api.TenantAsync(HttpMethod.Post, "/api/webhooks", tenant.Id, tenant.OwnerKey,
            new { url, events = new[] { "comment.received", "comment.replied", "comment.reply_failed" } });
        Assert.True(registered.IsSuccessStatusCode, await registered.Content.ReadAsStringAsync());

        var commentId = await host.FanCommentAsync("100000000000000_200000000000014", Unique("Gluten free?"));
        var conversationId = $"{InboxHost.Page}.{commentId}";
        await host.ConversationAsync(tenant, conversationId);
        var accepted = await ReplyAsync(tenant, conversationId, Unique("Yes, on Fridays."));
        var replyId = (await ApiClient.JsonAsync(accepted)).GetProperty("replyId").GetString()!;
        await SettledReplyAsync(tenant, conversationId, replyId);

        // The same comment again (a sync, a replayed notification): no second comment.received.
        var sync = await host.Api.TenantAsync(HttpMethod.Post, $"/api/channels/{InboxHost.Page}/sync", tenant.Id, tenant.OwnerKey, new { kinds = new[] { "daily" } });
        Assert.True(sync.IsSuccessStatusCode, await sync.Content.ReadAsStringAsync());

        var types = await Eventually.ValueAsync(
            () => Task.FromResult(host.Receiver.To(url).Select(r => JsonDocument.Parse(r.Body).RootElement).Where(b => b.GetProperty("data").GetProperty("conversationId").GetString() == conversationId)
                .Select(b => b.GetProperty("type").GetString()!).ToList()),
            t => t.Contains("comment.received") && t.Contains("comment.replied"), TimeSpan.FromSeconds(30));
        Assert.Single(types, t => t == "comment.received");
        Assert.Single(types, t => t == "comment.replied");
    }
}
