using System.Net;
using Microsoft.Data.Sqlite;
using OrleansSocial.GraphEmulator.World;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Posts;

/// <summary>
/// Publishing writes an attempt before every Graph write, in a table of its own. That table is made when
/// a post is scheduled, so a tenant's first publication (often due with many others) makes no table; a
/// draft, which may never publish, makes none.
/// </summary>
public sealed class AttemptsTableTests
{
    private const string OperatorKey = "attempts-table-operator-key-0123456789";
    private const string Page = "fb-100000000000000";
    private const string AttemptsTable = "doc_publication_attempts";

    [Fact]
    public async Task Scheduling_a_post_makes_its_attempts_table_and_a_draft_does_not()
    {
        using var data = new TempFolder("orleans-social-attempts-table");
        await using var host = new ApiHost(data.Path, new Dictionary<string, string?> { ["Operator:ApiKey"] = OperatorKey });
        var api = new ApiClient(host.CreateHttpClient(), OperatorKey);
        var tenant = await api.CreateTenantAsync();
        Assert.Equal(HttpStatusCode.Created, (await api.TenantAsync(HttpMethod.Post, "/api/channels/facebook", tenant.Id, tenant.OwnerKey, new { userAccessToken = TokenStore.DemoUserToken })).StatusCode);
        var file = TenantFiles.PathOf(data.Path, tenant.Id);

        Assert.Equal(HttpStatusCode.Created, (await api.TenantAsync(HttpMethod.Post, "/api/posts", tenant.Id, tenant.OwnerKey, new { channelIds = new[] { Page }, text = "A draft" })).StatusCode);
        Assert.False(await HasTableAsync(file, AttemptsTable), "a draft made the attempts table");

        var scheduled = await api.TenantAsync(HttpMethod.Post, "/api/posts", tenant.Id, tenant.OwnerKey,
            new { channelIds = new[] { Page }, text = "Later", scheduledAt = DateTimeOffset.UtcNow.AddHours(1) });
        Assert.Equal(HttpStatusCode.Created, scheduled.StatusCode);
        Assert.True(await HasTableAsync(file, AttemptsTable), "a scheduled post left its attempts table to its due time");
    }

    private static async Task<bool> HasTableAsync(string file, string table)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $name";
        command.Parameters.AddWithValue("$name", table);
        return Convert.ToInt64(await command.ExecuteScalarAsync()) == 1;
    }
}
