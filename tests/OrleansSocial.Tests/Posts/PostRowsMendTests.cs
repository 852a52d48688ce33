using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using OrleansSocial.GraphEmulator.World;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Posts;

/// <summary>
/// A post's calendar row and the operator board's row are written after its record: a crash between
/// them leaves the record without its rows. The post writes them again when it next activates; one
/// that activates with due work leaves that to its delivery, which writes them when it writes the post
/// or, when it writes nothing (held), when it stops.
/// </summary>
public sealed class PostRowsMendTests
{
    private const string OperatorKey = "post-rows-mend-operator-key-0123456789";
    private const string Page = "fb-100000000000000";

    private static readonly Dictionary<string, string?> Settings = new() { ["Operator:ApiKey"] = OperatorKey, ["Sync:InitialSyncWindow"] = "1.00:00:00" };

    [Fact]
    public async Task A_due_post_held_by_its_paused_channel_gets_back_its_rows_when_it_activates()
    {
        using var data = new TempFolder("orleans-social-rows-held");
        var (tenant, postId) = await PostLosingItsRowsAsync(data.Path, paused: true);

        await using var after = new ApiHost(data.Path, Settings);
        var api = new ApiClient(after.CreateHttpClient(), OperatorKey);
        Assert.Equal(HttpStatusCode.OK, (await api.TenantAsync(HttpMethod.Get, $"/api/posts/{postId}", tenant.Id, tenant.OwnerKey)).StatusCode);

        await Eventually.UntilAsync(async () => (await ListedAsync(api, tenant, "scheduled")).SequenceEqual([postId]), TimeSpan.FromSeconds(30));
        await Eventually.UntilAsync(async () => await OverdueAsync(api) == 1, TimeSpan.FromSeconds(30));
        var post = await ApiClient.JsonAsync(await api.TenantAsync(HttpMethod.Get, $"/api/posts/{postId}", tenant.Id, tenant.OwnerKey));
        Assert.Equal("scheduled", post.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_post_that_fell_due_while_the_service_was_down_is_published_and_listed_as_published()
    {
        using var data = new TempFolder("orleans-social-rows-due");
        var (tenant, postId) = await PostLosingItsRowsAsync(data.Path, paused: false);

        var restarted = DateTimeOffset.UtcNow;
        await using var after = new ApiHost(data.Path, Settings);
        var api = new ApiClient(after.CreateHttpClient(), OperatorKey);
        Assert.Equal(HttpStatusCode.OK, (await api.TenantAsync(HttpMethod.Get, $"/api/posts/{postId}", tenant.Id, tenant.OwnerKey)).StatusCode);

        await Eventually.UntilAsync(async () => (await ListedAsync(api, tenant, "published")).SequenceEqual([postId]), TimeSpan.FromSeconds(30));
        Assert.Empty(await ListedAsync(api, tenant, "scheduled"));
        Assert.Equal(0, await OverdueAsync(api));
        var post = await ApiClient.JsonAsync(await api.TenantAsync(HttpMethod.Get, $"/api/posts/{postId}", tenant.Id, tenant.OwnerKey));
        Assert.True(post.GetProperty("publications")[0].GetProperty("publishedAt").GetDateTimeOffset() >= restarted, "published before the service stopped");
    }

    /// <summary>A post due a few seconds after the service stops, whose rows are then taken away as a crash would have kept them from being written.</summary>
    private static async Task<(ApiClient.Tenant Tenant, string PostId)> PostLosingItsRowsAsync(string dataPath, bool paused)
    {
        ApiClient.Tenant tenant;
        string postId;
        var due = DateTimeOffset.UtcNow;
        await using (var before = new ApiHost(dataPath, Settings))
        {
            var api = new ApiClient(before.CreateHttpClient(), OperatorKey);
            tenant = await api.CreateTenantAsync();
            Assert.Equal(HttpStatusCode.Created, (await api.TenantAsync(HttpMethod.Post, "/api/channels/facebook", tenant.Id, tenant.OwnerKey, new { userAccessToken = TokenStore.DemoUserToken })).StatusCode);
            if (paused)
            {
                Assert.Equal(HttpStatusCode.OK, (await api.TenantAsync(HttpMethod.Patch, $"/api/channels/{Page}", tenant.Id, tenant.OwnerKey, new { paused = true })).StatusCode);
            }

            due = DateTimeOffset.UtcNow.AddSeconds(6);
            var created = await api.TenantAsync(HttpMethod.Post, "/api/posts", tenant.Id, tenant.OwnerKey, new { channelIds = new[] { Page }, text = "Due while down", scheduledAt = due });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            postId = (await ApiClient.JsonAsync(created)).GetProperty("postId").GetString()!;
            Assert.Equal([postId], await ListedAsync(api, tenant, "scheduled"));
        }

        SqliteConnection.ClearAllPools();
        await ExecuteAsync(TenantFiles.PathOf(dataPath, tenant.Id), "DELETE FROM doc_post_channels");
        var catalog = Directory.GetFiles(dataPath, "*catalog*.db", SearchOption.AllDirectories).Single();
        Assert.Equal(1, await ExecuteAsync(catalog, "DELETE FROM doc_operator_board WHERE id LIKE '%' || $post || '%'", postId));
        SqliteConnection.ClearAllPools();

        // Due before the service is back, so the post activates with work to do.
        while (DateTimeOffset.UtcNow < due.AddSeconds(1))
        {
            await Task.Delay(due.AddSeconds(1) - DateTimeOffset.UtcNow);
        }

        return (tenant, postId);
    }

    private static async Task<int> ExecuteAsync(string file, string sql, string? post = null)
    {
        await using var connection = new SqliteConnection($"Data Source={file}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (post is not null)
        {
            command.Parameters.AddWithValue("$post", post);
        }

        return await command.ExecuteNonQueryAsync();
    }

    /// <summary>The channel's calendar filtered by status: read from the post's channel rows only.</summary>
    private static async Task<List<string>> ListedAsync(ApiClient api, ApiClient.Tenant tenant, string status) =>
        [.. (await ApiClient.JsonAsync(await api.TenantAsync(HttpMethod.Get, $"/api/posts?channelId={Page}&status={status}", tenant.Id, tenant.OwnerKey)))
            .GetProperty("items").EnumerateArray().Select(p => p.GetProperty("postId").GetString()!)];

    private static async Task<long> OverdueAsync(ApiClient api) =>
        (await ApiClient.JsonAsync(await api.OperatorAsync(HttpMethod.Get, "/admin/overview"))).GetProperty("publishing").GetProperty("overdue").GetInt64();
}
