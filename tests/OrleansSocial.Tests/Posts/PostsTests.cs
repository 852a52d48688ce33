using System.Net;
using System.Text.Json;
using OrleansSocial.GraphEmulator.World;
using OrleansSocial.Tests.Channels;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Posts;

/// <summary>Composing, approving and scheduling posts through the API (publishing itself is not built yet).</summary>
public sealed class PostsTests(SyncHost host) : IClassFixture<SyncHost>
{
    private const string Page = "fb-100000000000000";
    private const string Instagram = "ig-17841400000000000";
    private const string Image = "https://cdn.example/launch.jpg";

    private ApiClient Api => host.Api;

    private static string In(TimeSpan from) => DateTimeOffset.UtcNow.Add(from).ToString("O");

    private async Task<ApiClient.Tenant> TenantWithChannelsAsync(string plan = "pro", object? settings = null)
    {
        var tenant = await Api.CreateTenantAsync(plan: plan);
        Assert.Equal(HttpStatusCode.Created, (await Api.TenantAsync(HttpMethod.Post, "/api/channels/facebook", tenant.Id, tenant.OwnerKey, new { userAccessToken = TokenStore.DemoUserToken })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await Api.TenantAsync(HttpMethod.Post, "/api/channels/instagram", tenant.Id, tenant.OwnerKey, new { userAccessToken = TokenStore.DemoUserToken })).StatusCode);
        if (settings is not null)
        {
            Assert.Equal(HttpStatusCode.OK, (await Api.TenantAsync(HttpMethod.Patch, "/api/tenant", tenant.Id, tenant.OwnerKey, settings)).StatusCode);
        }

        return tenant;
    }

    private async Task<JsonElement> OkAsync(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static string Status(JsonElement post) => post.GetProperty("status").GetString()!;

    [Fact]
    public async Task With_approval_and_four_eyes_the_author_cannot_approve_but_another_approver_can_and_every_step_is_audited()
    {
        var tenant = await TenantWithChannelsAsync(settings: new { requireApproval = true, fourEyes = true });
        var (_, adminKey) = await Api.AddMemberAsync(tenant, "admin");
        var (_, editorKey) = await Api.AddMemberAsync(tenant, "editor");

        var post = await OkAsync(await Api.TenantAsync(HttpMethod.Post, "/api/posts", tenant.Id, tenant.OwnerKey,
            new { channelIds = new[] { Page, Instagram }, text = "Launch day", mediaUrls = new[] { Image }, scheduledAt = In(TimeSpan.FromDays(2)) }), HttpStatusCode.Created);
        var id = post.GetProperty("postId").GetString();
        Assert.Equal("pending_approval", Status(post));
        Assert.All(post.GetProperty("publications").EnumerateArray(), p => Assert.Equal("pending_approval", Status(p)));

        // The author (an owner, who holds posts:approve) is refused by four eyes; an editor lacks the permission.
        var own = await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Post, $"/api/posts/{id}/approve", tenant.Id, tenant.OwnerKey), 403);
        Assert.Contains("four eyes", own.GetProperty("detail").GetString());
        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Post, $"/api/posts/{id}/approve", tenant.Id, editorKey), 403);

        var rejected = await OkAsync(await Api.TenantAsync(HttpMethod.Post, $"/api/posts/{id}/reject", tenant.Id, adminKey, new { reason = "Wrong picture" }));
        Assert.Equal("draft", Status(rejected));
        Assert.Equal("Wrong picture", rejected.GetProperty("rejectionReason").GetString());

        Assert.Equal("pending_approval", Status(await OkAsync(await Api.TenantAsync(HttpMethod.Post, $"/api/posts/{id}/submit", tenant.Id, tenant.OwnerKey))));
        var approved = await OkAsync(await Api.TenantAsync(HttpMethod.Post, $"/api/posts/{id}/approve", tenant.Id, adminKey));
        Assert.Equal("scheduled", Status(approved));

        // Editing an approved post sends it back for approval.
        var edited = await OkAsync(await Api.TenantAsync(HttpMethod.Patch, $"/api/posts/{id}", tenant.Id, tenant.OwnerKey,
            new { channelIds = new[] { Page, Instagram }, text = "Launch day, take two", mediaUrls = new[] { Image }, scheduledAt = In(TimeSpan.FromDays(2)) }));
        Assert.Equal("pending_approval", Status(edited));

        var audit = await OkAsync(await Api.TenantAsync(HttpMethod.Get, "/api/audit?limit=100", tenant.Id, tenant.OwnerKey));
        var actions = audit.GetProperty("items").EnumerateArray().Where(e => e.GetProperty("target").GetString() == id).Select(e => $"{e.GetProperty("action").GetString()}:{e.GetProperty("outcome").GetString()}").ToList();
        Assert.Contains("post.approved:denied", actions);
        Assert.Contains("post.rejected:success", actions);
        Assert.Contains("post.approved:success", actions);
        Assert.Contains("post.edited:success", actions);
    }

    [Fact]
    public async Task Without_approval_a_post_with_a_time_is_scheduled_at_once()
    {
        var tenant = await TenantWithChannelsAsync();

        var post = await OkAsync(await Api.TenantAsync(HttpMethod.Post, "/api/posts", tenant.Id, tenant.OwnerKey,
            new { channelIds = new[] { Page }, text = "Hello", scheduledAt = In(TimeSpan.FromHours(3)) }), HttpStatusCode.Created);
        var draft = await OkAsync(await Api.TenantAsync(HttpMethod.Post, "/api/posts", tenant.Id, tenant.OwnerKey,
            new { channelIds = new[] { Page }, text = "Later" }), HttpStatusCode.Created);

        Assert.Equal("scheduled", Status(post));
        Assert.Equal("draft", Status(draft));
        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Post, $"/api/posts/{draft.GetProperty("postId").GetString()}/submit", tenant.Id, tenant.OwnerKey), 400);
        var usage = await OkAsync(await Api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, tenant.OwnerKey));
        Assert.Equal(1, usage.GetProperty("usage").GetProperty("scheduledPostsThisMonth").GetInt32() + (DateTimeOffset.UtcNow.AddHours(3).Month != DateTimeOffset.UtcNow.Month ? 1 : 0));
    }

    [Theory]
    [InlineData("""{"channelIds":["ig-17841400000000000"],"text":"no picture"}""", "mediaUrls")]
    [InlineData("""{"channelIds":["ig-17841400000000000"],"mediaUrls":["http://cdn.example/a.jpg"]}""", "mediaUrls[0]")]
    [InlineData("""{"channelIds":["fb-100000000000000","ig-17841400000000000"],"text":"x","variants":{"ig-17841400000000000":{"text":"y"}}}""", "variants.ig-17841400000000000.mediaUrls")]
    [InlineData("""{"channelIds":["fb-100000000000000"],"text":"x","variants":{"ig-17841400000000000":{"text":"y"}}}""", "variants.ig-17841400000000000")]
    [InlineData("""{"channelIds":["fb-100000000000000"],"text":"x","scheduledAt":"2020-01-01T00:00:00Z"}""", "scheduledAt")]
    [InlineData("""{"channelIds":[],"text":"x"}""", "channelIds")]
    [InlineData("""{"channelIds":[null],"text":"x"}""", "channelIds[0]")]
    public async Task Per_platform_rules_refuse_with_the_field_named_and_nothing_is_written(string body, string field)
    {
        var tenant = await TenantWithChannelsAsync();

        var problem = await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Post, "/api/posts", tenant.Id, tenant.OwnerKey, body), 400);

        Assert.Equal(field, problem.GetProperty("field").GetString());
        var list = await OkAsync(await Api.TenantAsync(HttpMethod.Get, "/api/posts", tenant.Id, tenant.OwnerKey));
        Assert.Equal(0, list.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Another_tenants_channel_is_not_found()
    {
        var tenant = await TenantWithChannelsAsync();
        var other = await Api.CreateTenantAsync();

        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Post, "/api/posts", other.Id, other.OwnerKey, new { channelIds = new[] { Page }, text = "mine?" }), 404);
        Assert.NotNull(tenant);
    }

    [Fact]
    public async Task A_retried_create_with_the_same_idempotency_key_returns_the_same_post_and_another_body_is_422()
    {
        var tenant = await TenantWithChannelsAsync();
        async Task<HttpResponseMessage> Create(string text)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/posts") { Content = System.Net.Http.Json.JsonContent.Create(new { channelIds = new[] { Page }, text }) };
            request.Headers.Add("x-tenant-id", tenant.Id);
            request.Headers.Authorization = new("Bearer", tenant.OwnerKey);
            request.Headers.Add("Idempotency-Key", "order-42");
            return await Api.Http.SendAsync(request);
        }

        var first = await OkAsync(await Create("Once"), HttpStatusCode.Created);
        var again = await OkAsync(await Create("Once"), HttpStatusCode.Created);
        Assert.Equal(first.GetProperty("postId").GetString(), again.GetProperty("postId").GetString());
        await ProblemAssert.IsProblemAsync(await Create("Twice"), 422);

        var list = await OkAsync(await Api.TenantAsync(HttpMethod.Get, "/api/posts", tenant.Id, tenant.OwnerKey));
        Assert.Equal(1, list.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task The_monthly_limit_holds_under_concurrent_scheduling()
    {
        var tenant = await TenantWithChannelsAsync();
        await Api.OperatorAsync(HttpMethod.Patch, $"/admin/tenants/{tenant.Id}", new { limits = new { scheduledPostsPerMonth = 3 } });
        // All in one month: the first day of next month, at noon.
        var next = DateTimeOffset.UtcNow.AddMonths(1);
        var at = new DateTimeOffset(next.Year, next.Month, 1, 12, 0, 0, TimeSpan.Zero).ToString("O");

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            Api.TenantAsync(HttpMethod.Post, "/api/posts", tenant.Id, tenant.OwnerKey, new { channelIds = new[] { Page }, text = $"Post {i}", scheduledAt = at })));

        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            var problem = await ProblemAssert.IsProblemAsync(refused, 403);
            Assert.Equal("scheduledPostsPerMonth", problem.GetProperty("limit").GetString());
        }

        var scheduled = await OkAsync(await Api.TenantAsync(HttpMethod.Get, "/api/posts?status=scheduled", tenant.Id, tenant.OwnerKey));
        Assert.Equal(3, scheduled.GetProperty("items").GetArrayLength());
        // A refused request leaves nothing behind: no draft of the seven.
        var all = await OkAsync(await Api.TenantAsync(HttpMethod.Get, "/api/posts", tenant.Id, tenant.OwnerKey));
        Assert.Equal(3, all.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task The_calendar_filters_by_status_channel_and_time_and_pages()
    {
        var tenant = await TenantWithChannelsAsync();
        for (var day = 1; day <= 5; day++)
        {
            var channels = day % 2 == 0 ? new[] { Instagram } : new[] { Page };
            await OkAsync(await Api.TenantAsync(HttpMethod.Post, "/api/posts", tenant.Id, tenant.OwnerKey,
                new { channelIds = channels, text = $"Day {day}", mediaUrls = new[] { Image }, scheduledAt = In(TimeSpan.FromDays(day)) }), HttpStatusCode.Created);
        }

        var instagram = await OkAsync(await Api.TenantAsync(HttpMethod.Get, $"/api/posts?channelId={Instagram}", tenant.Id, tenant.OwnerKey));
        Assert.Equal(2, instagram.GetProperty("items").GetArrayLength());
        var window = await OkAsync(await Api.TenantAsync(HttpMethod.Get, $"/api/posts?from={Uri.EscapeDataString(In(TimeSpan.FromDays(1.5)))}&to={Uri.EscapeDataString(In(TimeSpan.FromDays(3.5)))}", tenant.Id, tenant.OwnerKey));
        Assert.Equal(["Day 2", "Day 3"], window.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("content").GetProperty("text").GetString()));

        var first = await OkAsync(await Api.TenantAsync(HttpMethod.Get, "/api/posts?limit=3", tenant.Id, tenant.OwnerKey));
        var rest = await OkAsync(await Api.TenantAsync(HttpMethod.Get, $"/api/posts?limit=3&cursor={first.GetProperty("nextCursor").GetString()}", tenant.Id, tenant.OwnerKey));
        Assert.Equal(5, first.GetProperty("items").GetArrayLength() + rest.GetProperty("items").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, rest.GetProperty("nextCursor").ValueKind);

        var cancelled = await OkAsync(await Api.TenantAsync(HttpMethod.Delete, $"/api/posts/{first.GetProperty("items")[0].GetProperty("postId").GetString()}", tenant.Id, tenant.OwnerKey));
        Assert.Equal("cancelled", Status(cancelled));
        Assert.Equal(1, (await OkAsync(await Api.TenantAsync(HttpMethod.Get, "/api/posts?status=cancelled", tenant.Id, tenant.OwnerKey))).GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Another_tenants_post_is_not_found_and_roles_decide_who_composes_and_who_approves()
    {
        var tenant = await TenantWithChannelsAsync(settings: new { requireApproval = true });
        var other = await Api.CreateTenantAsync();
        var (_, viewerKey) = await Api.AddMemberAsync(tenant, "viewer");
        var post = await OkAsync(await Api.TenantAsync(HttpMethod.Post, "/api/posts", tenant.Id, tenant.OwnerKey, new { channelIds = new[] { Page }, text = "Ours" }), HttpStatusCode.Created);
        var id = post.GetProperty("postId").GetString();

        foreach (var (method, path) in new[] { (HttpMethod.Get, $"/api/posts/{id}"), (HttpMethod.Delete, $"/api/posts/{id}"), (HttpMethod.Post, $"/api/posts/{id}/submit"), (HttpMethod.Post, $"/api/posts/{id}/approve") })
        {
            await ProblemAssert.IsProblemAsync(await Api.TenantAsync(method, path, other.Id, other.OwnerKey), 404);
        }

        Assert.Equal(0, (await OkAsync(await Api.TenantAsync(HttpMethod.Get, "/api/posts", other.Id, other.OwnerKey))).GetProperty("items").GetArrayLength());
        Assert.Equal(HttpStatusCode.OK, (await Api.TenantAsync(HttpMethod.Get, $"/api/posts/{id}", tenant.Id, viewerKey)).StatusCode);
        Assert.Equal("posts:write", (await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Post, "/api/posts", tenant.Id, viewerKey, new { channelIds = new[] { Page }, text = "x" }), 403)).GetProperty("permission").GetString());
        Assert.Equal("posts:approve", (await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Post, $"/api/posts/{id}/approve", tenant.Id, viewerKey), 403)).GetProperty("permission").GetString());
        // A draft cannot be approved: it has not been submitted.
        await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Post, $"/api/posts/{id}/approve", tenant.Id, tenant.OwnerKey), 409);
    }

    // Each posts route × each role: 403 naming the permission when the role lacks it, otherwise the
    // request gets past authorization (to a 2xx, or to the 400/404 its deliberately empty input earns).
    private const string Missing = "p0000000000000000";

    public static TheoryData<string, string, string, string> PostRoutesByRole()
    {
        (string Method, string Path, string Permission)[] routes =
        [
            ("POST", "/api/posts", "posts:write"),
            ("GET", "/api/posts", "channels:read"),
            ("GET", $"/api/posts/{Missing}", "channels:read"),
            ("PATCH", $"/api/posts/{Missing}", "posts:write"),
            ("DELETE", $"/api/posts/{Missing}", "posts:write"),
            ("POST", $"/api/posts/{Missing}/submit", "posts:write"),
            ("POST", $"/api/posts/{Missing}/approve", "posts:approve"),
            ("POST", $"/api/posts/{Missing}/reject", "posts:approve"),
            ("POST", $"/api/posts/{Missing}/publish-now", "posts:publish"),
            ("POST", $"/api/posts/{Missing}/publications/fb-1/retry", "posts:publish"),
        ];
        var data = new TheoryData<string, string, string, string>();
        foreach (var role in new[] { "owner", "admin", "editor", "analyst", "viewer" })
        {
            foreach (var (method, path, permission) in routes)
            {
                data.Add(role, method, path, permission);
            }
        }

        return data;
    }

    private static readonly Dictionary<string, string[]> Holds = new()
    {
        ["owner"] = ["posts:write", "posts:approve", "posts:publish", "channels:read"],
        ["admin"] = ["posts:write", "posts:approve", "posts:publish", "channels:read"],
        ["editor"] = ["posts:write", "channels:read"],
        ["analyst"] = ["channels:read"],
        ["viewer"] = ["channels:read"],
    };

    [Theory]
    [MemberData(nameof(PostRoutesByRole))]
    public async Task Each_posts_route_needs_its_permission(string role, string method, string path, string permission)
    {
        var tenant = await Api.CreateTenantAsync();
        var key = role == "owner" ? tenant.OwnerKey : (await Api.AddMemberAsync(tenant, role)).Key;
        var body = method is "POST" or "PATCH" && !path.EndsWith("submit", StringComparison.Ordinal) && !path.EndsWith("approve", StringComparison.Ordinal)
            && !path.EndsWith("publish-now", StringComparison.Ordinal) && !path.EndsWith("retry", StringComparison.Ordinal)
            ? path.EndsWith("reject", StringComparison.Ordinal) ? """{"reason":"no"}""" : """{"channelIds":[],"text":"x"}"""
            : null;

        var response = await Api.TenantAsync(new HttpMethod(method), path, tenant.Id, key, body);

        if (Holds[role].Contains(permission))
        {
            Assert.True((int)response.StatusCode is 200 or 400 or 404, $"{role} {method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        else
        {
            var problem = await ProblemAssert.IsProblemAsync(response, 403);
            Assert.Equal(permission, problem.GetProperty("permission").GetString());
        }
    }
}
