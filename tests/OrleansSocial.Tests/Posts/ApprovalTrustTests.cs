using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansSocial.GraphEmulator.World;
using OrleansSocial.Tests.Channels;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Posts;

/// <summary>A host of its own for the approval tests, so they run beside <see cref="PostsTests"/>.</summary>
public sealed class ApprovalHost : TenancyHost
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings { get; } = new Dictionary<string, string?>
    {
        ["Sync:InitialSyncWindow"] = "1.00:00:00",
    };
}

/// <summary>
/// Four eyes means four eyes: approval is bound to the version reviewed (ETag / If-Match), nobody who
/// changed the content approves it, approval rights come only from an owner, and the plan's monthly
/// limit counts a post in the month it really publishes.
/// </summary>
public sealed class ApprovalTrustTests(ApprovalHost host) : IClassFixture<ApprovalHost>
{
    private const string Page = "fb-100000000000000";

    private ApiClient Api => host.Api;

    private static string In(TimeSpan from) => DateTimeOffset.UtcNow.Add(from).ToString("O");

    private async Task<ApiClient.Tenant> TenantAsync(bool fourEyes = true)
    {
        var tenant = await Api.CreateTenantAsync();
        Assert.Equal(HttpStatusCode.Created, (await Api.TenantAsync(HttpMethod.Post, "/api/channels/facebook", tenant.Id, tenant.OwnerKey, new { userAccessToken = TokenStore.DemoUserToken })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Api.TenantAsync(HttpMethod.Patch, "/api/tenant", tenant.Id, tenant.OwnerKey, new { requireApproval = true, fourEyes })).StatusCode);
        return tenant;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, ApiClient.Tenant tenant, string key, object? body = null, string? ifMatch = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("x-tenant-id", tenant.Id);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return await Api.Http.SendAsync(request);
    }

    private static async Task<JsonElement> OkAsync(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<string> PendingPostAsync(ApiClient.Tenant tenant, string authorKey, string text = "Launch day")
    {
        var post = await OkAsync(await SendAsync(HttpMethod.Post, "/api/posts", tenant, authorKey, new { channelIds = new[] { Page }, text, scheduledAt = In(TimeSpan.FromDays(2)) }), HttpStatusCode.Created);
        Assert.Equal("pending_approval", post.GetProperty("status").GetString());
        return post.GetProperty("postId").GetString()!;
    }

    private static object Content(string text) => new { channelIds = new[] { Page }, text, scheduledAt = In(TimeSpan.FromDays(2)) };

    private async Task<IReadOnlyList<JsonElement>> AuditAsync(ApiClient.Tenant tenant) =>
        [.. (await OkAsync(await Api.TenantAsync(HttpMethod.Get, "/api/audit?limit=100", tenant.Id, tenant.OwnerKey))).GetProperty("items").EnumerateArray()];

    [Fact]
    public async Task Whoever_changed_the_content_since_the_last_approval_cannot_approve_it()
    {
        var tenant = await TenantAsync();
        var (_, editorKey) = await Api.AddMemberAsync(tenant, "editor");
        var (_, adminKey) = await Api.AddMemberAsync(tenant, "admin");
        var id = await PendingPostAsync(tenant, editorKey);

        // The admin rewrites the editor's post (it stays pending, the author unchanged) and tries to approve it.
        var edited = await OkAsync(await SendAsync(HttpMethod.Patch, $"/api/posts/{id}", tenant, adminKey, Content("Text nobody else reviewed")));
        Assert.Equal("pending_approval", edited.GetProperty("status").GetString());
        var refused = await ProblemAssert.IsProblemAsync(await SendAsync(HttpMethod.Post, $"/api/posts/{id}/approve", tenant, adminKey), 403);
        Assert.Contains("four eyes", refused.GetProperty("detail").GetString());
        Assert.Equal("pending_approval", (await OkAsync(await SendAsync(HttpMethod.Get, $"/api/posts/{id}", tenant, adminKey))).GetProperty("status").GetString());

        // The owner touched nothing: the owner may approve, and that ends the round.
        Assert.Equal("scheduled", (await OkAsync(await SendAsync(HttpMethod.Post, $"/api/posts/{id}/approve", tenant, tenant.OwnerKey))).GetProperty("status").GetString());

        // A new round: the owner edits the approved post, so now the owner may not approve it, the admin may.
        Assert.Equal("pending_approval", (await OkAsync(await SendAsync(HttpMethod.Patch, $"/api/posts/{id}", tenant, tenant.OwnerKey, Content("Owner's second take")))).GetProperty("status").GetString());
        await ProblemAssert.IsProblemAsync(await SendAsync(HttpMethod.Post, $"/api/posts/{id}/approve", tenant, tenant.OwnerKey), 403);
        Assert.Equal("scheduled", (await OkAsync(await SendAsync(HttpMethod.Post, $"/api/posts/{id}/approve", tenant, adminKey))).GetProperty("status").GetString());
        Assert.Contains(await AuditAsync(tenant), e => e.GetProperty("action").GetString() == "post.approved" && e.GetProperty("outcome").GetString() == "denied"
            && e.GetProperty("detail").GetString()!.Contains("changed the content", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_decision_applies_only_to_the_version_the_approver_read()
    {
        var tenant = await TenantAsync(fourEyes: false);
        var (_, editorKey) = await Api.AddMemberAsync(tenant, "editor");
        var (_, adminKey) = await Api.AddMemberAsync(tenant, "admin");
        var id = await PendingPostAsync(tenant, editorKey);

        var read = await SendAsync(HttpMethod.Get, $"/api/posts/{id}", tenant, adminKey);
        var reviewed = read.Headers.ETag?.Tag;
        Assert.NotNull(reviewed);
        Assert.False(read.Headers.ETag!.IsWeak);

        // The editor swaps the text after the approver read it.
        var swapped = await SendAsync(HttpMethod.Patch, $"/api/posts/{id}", tenant, editorKey, Content("Swapped behind the approver's back"));
        await OkAsync(swapped);
        Assert.NotEqual(reviewed, swapped.Headers.ETag?.Tag);

        var refused = await SendAsync(HttpMethod.Post, $"/api/posts/{id}/approve", tenant, adminKey, ifMatch: reviewed);
        var stale = await ProblemAssert.IsProblemAsync(refused, 412);
        Assert.Equal(swapped.Headers.ETag?.Tag, stale.GetProperty("currentETag").GetString());
        await ProblemAssert.IsProblemAsync(await SendAsync(HttpMethod.Post, $"/api/posts/{id}/reject", tenant, adminKey, new { reason = "no" }, ifMatch: reviewed), 412);
        var post = await OkAsync(await SendAsync(HttpMethod.Get, $"/api/posts/{id}", tenant, adminKey));
        Assert.Equal("pending_approval", post.GetProperty("status").GetString());

        // Every other change takes If-Match the same way; the current tag (or *) lets it through.
        await ProblemAssert.IsProblemAsync(await SendAsync(HttpMethod.Patch, $"/api/posts/{id}", tenant, editorKey, Content("late edit"), ifMatch: reviewed), 412);
        await ProblemAssert.IsProblemAsync(await SendAsync(HttpMethod.Delete, $"/api/posts/{id}", tenant, editorKey, ifMatch: reviewed), 412);
        await ProblemAssert.IsProblemAsync(await SendAsync(HttpMethod.Post, $"/api/posts/{id}/approve", tenant, adminKey, ifMatch: "W/" + swapped.Headers.ETag!.Tag), 412);
        var approved = await SendAsync(HttpMethod.Post, $"/api/posts/{id}/approve", tenant, adminKey, ifMatch: swapped.Headers.ETag!.Tag);
        Assert.Equal("scheduled", (await OkAsync(approved)).GetProperty("status").GetString());
        Assert.NotEqual(swapped.Headers.ETag!.Tag, approved.Headers.ETag?.Tag);
        Assert.Equal("cancelled", (await OkAsync(await SendAsync(HttpMethod.Delete, $"/api/posts/{id}", tenant, editorKey, ifMatch: "*"))).GetProperty("status").GetString());

        // Submit too: a draft read, then changed, is not submitted on the old read.
        var draft = await OkAsync(await SendAsync(HttpMethod.Post, "/api/posts", tenant, editorKey, new { channelIds = new[] { Page }, text = "draft" }), HttpStatusCode.Created);
        var draftId = draft.GetProperty("postId").GetString()!;
        var draftTag = (await SendAsync(HttpMethod.Get, $"/api/posts/{draftId}", tenant, editorKey)).Headers.ETag!.Tag;
        await OkAsync(await SendAsync(HttpMethod.Patch, $"/api/posts/{draftId}", tenant, editorKey, Content("draft, timed")));
        await ProblemAssert.IsProblemAsync(await SendAsync(HttpMethod.Post, $"/api/posts/{draftId}/submit", tenant, editorKey, ifMatch: draftTag), 412);
    }

    [Fact]
    public async Task Under_four_eyes_only_an_owner_grants_approval_and_the_audit_names_both()
    {
        var tenant = await TenantAsync();
        var (adminId, adminKey) = await Api.AddMemberAsync(tenant, "admin");
        var (editorId, _) = await Api.AddMemberAsync(tenant, "editor");

        // The sock puppet: an admin makes a second member who can approve.
        await ProblemAssert.IsProblemAsync(await SendAsync(HttpMethod.Post, "/api/members", tenant, adminKey, new { email = $"puppet@{tenant.Id}.test", role = "editor", permissions = new[] { "posts:approve" } }), 403);
        await ProblemAssert.IsProblemAsync(await SendAsync(HttpMethod.Post, "/api/members", tenant, adminKey, new { email = $"puppet2@{tenant.Id}.test", role = "admin" }), 403);
        await ProblemAssert.IsProblemAsync(await SendAsync(HttpMethod.Patch, $"/api/members/{editorId}", tenant, adminKey, new { permissions = new[] { "posts:approve" } }), 403);
        await ProblemAssert.IsProblemAsync(await SendAsync(HttpMethod.Patch, $"/api/members/{editorId}", tenant, adminKey, new { role = "admin" }), 403);
        // What does not grant approval stays the admin's to give.
        await OkAsync(await SendAsync(HttpMethod.Post, "/api/members", tenant, adminKey, new { email = $"writer@{tenant.Id}.test", role = "editor" }), HttpStatusCode.Created);

        // The owner may, and the audit names the grantor and the grantee.
        var granted = await OkAsync(await SendAsync(HttpMethod.Patch, $"/api/members/{editorId}", tenant, tenant.OwnerKey, new { permissions = new[] { "posts:approve" } }));
        Assert.Contains("posts:approve", granted.GetProperty("effectivePermissions").EnumerateArray().Select(p => p.GetString()));
        var audit = await AuditAsync(tenant);
        Assert.Contains(audit, e => e.GetProperty("action").GetString() == "member.changed" && e.GetProperty("target").GetString() == editorId
            && e.GetProperty("detail").GetString()!.Contains($"posts:approve granted by {tenant.OwnerMemberId}", StringComparison.Ordinal));
        Assert.Contains(audit, e => e.GetProperty("action").GetString() == "member.added" && e.GetProperty("outcome").GetString() == "denied" && e.GetProperty("actor").GetString()!.Contains(adminId, StringComparison.Ordinal));

        // Without four eyes an admin grants what it holds, as before.
        var relaxed = await TenantAsync(fourEyes: false);
        var (_, relaxedAdmin) = await Api.AddMemberAsync(relaxed, "admin");
        await OkAsync(await SendAsync(HttpMethod.Post, "/api/members", relaxed, relaxedAdmin, new { email = $"approver@{relaxed.Id}.test", role = "editor", permissions = new[] { "posts:approve" } }), HttpStatusCode.Created);
    }

    [Fact]
    public async Task Publish_now_counts_the_post_in_this_month_and_is_refused_when_this_month_is_full()
    {
        var tenant = await Api.CreateTenantAsync();
        Assert.Equal(HttpStatusCode.Created, (await Api.TenantAsync(HttpMethod.Post, "/api/channels/facebook", tenant.Id, tenant.OwnerKey, new { userAccessToken = TokenStore.DemoUserToken })).StatusCode);
        await Api.OperatorAsync(HttpMethod.Patch, $"/admin/tenants/{tenant.Id}", new { limits = new { scheduledPostsPerMonth = 1 } });

        // This month's one post: a draft published now.
        var now = await OkAsync(await SendAsync(HttpMethod.Post, "/api/posts", tenant, tenant.OwnerKey, new { channelIds = new[] { Page }, text = "now" }), HttpStatusCode.Created);
        await OkAsync(await SendAsync(HttpMethod.Post, $"/api/posts/{now.GetProperty("postId").GetString()}/publish-now", tenant, tenant.OwnerKey));

        // Next month has room, so a post for it is scheduled; publishing it now would be this month's second.
        var next = DateTimeOffset.UtcNow.AddMonths(1);
        var at = new DateTimeOffset(next.Year, next.Month, 1, 12, 0, 0, TimeSpan.Zero).ToString("O");
        var later = await OkAsync(await SendAsync(HttpMethod.Post, "/api/posts", tenant, tenant.OwnerKey, new { channelIds = new[] { Page }, text = "next month", scheduledAt = at }), HttpStatusCode.Created);
        var laterId = later.GetProperty("postId").GetString()!;
        Assert.Equal("scheduled", later.GetProperty("status").GetString());

        var refused = await ProblemAssert.IsProblemAsync(await SendAsync(HttpMethod.Post, $"/api/posts/{laterId}/publish-now", tenant, tenant.OwnerKey), 403);
        Assert.Equal("scheduledPostsPerMonth", refused.GetProperty("limit").GetString());
        var unchanged = await OkAsync(await SendAsync(HttpMethod.Get, $"/api/posts/{laterId}", tenant, tenant.OwnerKey));
        Assert.Equal("scheduled", unchanged.GetProperty("status").GetString());
        Assert.Equal(DateTimeOffset.Parse(at), unchanged.GetProperty("content").GetProperty("scheduledAt").GetDateTimeOffset());

        // With room this month it publishes, counted here and no longer next month: next month takes another post.
        await Api.OperatorAsync(HttpMethod.Patch, $"/admin/tenants/{tenant.Id}", new { limits = new { scheduledPostsPerMonth = 2 } });
        await OkAsync(await SendAsync(HttpMethod.Post, $"/api/posts/{laterId}/publish-now", tenant, tenant.OwnerKey));
        await Api.OperatorAsync(HttpMethod.Patch, $"/admin/tenants/{tenant.Id}", new { limits = new { scheduledPostsPerMonth = 1 } });
        await OkAsync(await SendAsync(HttpMethod.Post, "/api/posts", tenant, tenant.OwnerKey, new { channelIds = new[] { Page }, text = "next month, again", scheduledAt = at }), HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_retried_create_after_the_due_time_returns_the_original_post()
    {
        var tenant = await Api.CreateTenantAsync();
        Assert.Equal(HttpStatusCode.Created, (await Api.TenantAsync(HttpMethod.Post, "/api/channels/facebook", tenant.Id, tenant.OwnerKey, new { userAccessToken = TokenStore.DemoUserToken })).StatusCode);
        var due = DateTimeOffset.UtcNow.AddSeconds(2);
        var body = new { channelIds = new[] { Page }, text = "Retried late", scheduledAt = due.ToString("O") };
        async Task<HttpResponseMessage> CreateAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/posts") { Content = JsonContent.Create(body) };
            request.Headers.Add("x-tenant-id", tenant.Id);
            request.Headers.Authorization = new("Bearer", tenant.OwnerKey);
            request.Headers.Add("Idempotency-Key", "late-retry-1");
            return await Api.Http.SendAsync(request);
        }

        var first = await OkAsync(await CreateAsync(), HttpStatusCode.Created);
        await Eventually.UntilAsync(() => Task.FromResult(DateTimeOffset.UtcNow > due.AddMilliseconds(200)), TimeSpan.FromSeconds(10));

        var again = await OkAsync(await CreateAsync(), HttpStatusCode.Created);
        Assert.Equal(first.GetProperty("postId").GetString(), again.GetProperty("postId").GetString());
        Assert.Equal(1, (await OkAsync(await Api.TenantAsync(HttpMethod.Get, "/api/posts", tenant.Id, tenant.OwnerKey))).GetProperty("items").GetArrayLength());
    }

    [Theory]
    [InlineData("2026-12-24T09:00:00")]
    [InlineData("2026-12-24 09:00")]
    public async Task A_scheduled_time_without_an_offset_is_refused_naming_the_field(string at)
    {
        var tenant = await Api.CreateTenantAsync();
        Assert.Equal(HttpStatusCode.Created, (await Api.TenantAsync(HttpMethod.Post, "/api/channels/facebook", tenant.Id, tenant.OwnerKey, new { userAccessToken = TokenStore.DemoUserToken })).StatusCode);

        var problem = await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Post, "/api/posts", tenant.Id, tenant.OwnerKey,
            $$"""{"channelIds":["{{Page}}"],"text":"x","scheduledAt":"{{at}}"}"""), 400);

        Assert.Equal("scheduledAt", problem.GetProperty("field").GetString());
        Assert.Contains("offset", problem.GetProperty("detail").GetString());
        Assert.Equal(0, (await OkAsync(await Api.TenantAsync(HttpMethod.Get, "/api/posts", tenant.Id, tenant.OwnerKey))).GetProperty("items").GetArrayLength());
        // With an offset (or Z) it is accepted.
        await OkAsync(await Api.TenantAsync(HttpMethod.Post, "/api/posts", tenant.Id, tenant.OwnerKey, new { channelIds = new[] { Page }, text = "x", scheduledAt = DateTimeOffset.UtcNow.AddDays(1).ToOffset(TimeSpan.FromHours(2)).ToString("O") }), HttpStatusCode.Created);
    }

    [Fact]
    public async Task Stored_drafts_are_bounded_by_the_plan_even_under_concurrent_creation()
    {
        var tenant = await Api.CreateTenantAsync(plan: "free");
        Assert.Equal(HttpStatusCode.Created, (await Api.TenantAsync(HttpMethod.Post, "/api/channels/facebook", tenant.Id, tenant.OwnerKey, new { userAccessToken = TokenStore.DemoUserToken })).StatusCode);
        var limits = (await OkAsync(await Api.OperatorAsync(HttpMethod.Get, $"/admin/tenants/{tenant.Id}"))).GetProperty("limits");
        Assert.Equal(100, limits.GetProperty("draftPosts").GetInt32());
        await OkAsync(await Api.OperatorAsync(HttpMethod.Patch, $"/admin/tenants/{tenant.Id}", new { limits = new { draftPosts = 3 } }));

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            Api.TenantAsync(HttpMethod.Post, "/api/posts", tenant.Id, tenant.OwnerKey, new { channelIds = new[] { Page }, text = $"Draft {i}" })));

        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            Assert.Equal("draftPosts", (await ProblemAssert.IsProblemAsync(refused, 403)).GetProperty("limit").GetString());
        }

        // Scheduled posts are not drafts; cancelling a draft frees its place.
        await OkAsync(await Api.TenantAsync(HttpMethod.Post, "/api/posts", tenant.Id, tenant.OwnerKey, new { channelIds = new[] { Page }, text = "timed", scheduledAt = In(TimeSpan.FromDays(1)) }), HttpStatusCode.Created);
        var drafts = (await OkAsync(await Api.TenantAsync(HttpMethod.Get, "/api/posts?status=draft", tenant.Id, tenant.OwnerKey))).GetProperty("items");
        Assert.Equal(3, drafts.GetArrayLength());
        await OkAsync(await Api.TenantAsync(HttpMethod.Delete, $"/api/posts/{drafts[0].GetProperty("postId").GetString()}", tenant.Id, tenant.OwnerKey));
        await OkAsync(await Api.TenantAsync(HttpMethod.Post, "/api/posts", tenant.Id, tenant.OwnerKey, new { channelIds = new[] { Page }, text = "one more draft" }), HttpStatusCode.Created);
    }

    [Theory]
    [InlineData("AAAA")]
    [InlineData("Z2FyYmFnZQ")]
    public async Task A_cursor_the_calendar_never_issued_is_400(string cursor)
    {
        var tenant = await Api.CreateTenantAsync();
        var problem = await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Get, $"/api/posts?cursor={cursor}", tenant.Id, tenant.OwnerKey), 400);
        Assert.Equal("cursor", problem.GetProperty("field").GetString());
    }
}
