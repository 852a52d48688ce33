using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using OrleansSocial.GraphEmulator.World;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Posts;

/// <summary>
/// Posts written by a version before the indexed calendar (no top-level calendar key, no channel rows,
/// no layout marker) are still listed after an upgrade: the tenant brings them in at its next activation.
/// </summary>
public sealed class CalendarUpgradeTests
{
    private const string OperatorKey = "calendar-upgrade-operator-key-0123456789";
    private const string Page = "fb-100000000000000";

    [Fact]
    public async Task Posts_from_before_the_indexed_calendar_are_listed_and_filtered_after_a_restart()
    {
        using var data = new TempFolder("orleans-social-calendar-upgrade");
        var settings = new Dictionary<string, string?> { ["Operator:ApiKey"] = OperatorKey, ["Sync:InitialSyncWindow"] = "1.00:00:00" };
        ApiClient.Tenant tenant;
        var ids = new List<string>();
        await using (var before = new ApiHost(data.Path, settings))
        {
            var api = new ApiClient(before.CreateHttpClient(), OperatorKey);
            tenant = await api.CreateTenantAsync();
            Assert.Equal(HttpStatusCode.Created, (await api.TenantAsync(HttpMethod.Post, "/api/channels/facebook", tenant.Id, tenant.OwnerKey, new { userAccessToken = TokenStore.DemoUserToken })).StatusCode);
            for (var i = 0; i < 5; i++)
            {
                var created = await ApiClient.JsonAsync(await api.TenantAsync(HttpMethod.Post, "/api/posts", tenant.Id, tenant.OwnerKey,
                    new { channelIds = new[] { Page }, text = $"Old {i}", scheduledAt = DateTimeOffset.UtcNow.AddDays(i + 1) }));
                ids.Add(created.GetProperty("postId").GetString()!);
            }
        }

        // Make the database what an older version left: no calendar key, no rows, no layout marker.
        SqliteConnection.ClearAllPools();
        await using (var connection = new SqliteConnection($"Data Source={TenantFiles.PathOf(data.Path, tenant.Id)}"))
        {
            await connection.OpenAsync();
            await using var downgrade = connection.CreateCommand();
            downgrade.CommandText = "UPDATE doc_planned_posts SET body = json_remove(body, '$.calendarAt'); DELETE FROM doc_post_channels; DELETE FROM doc_settings WHERE id = 'calendar';" +
                "DROP INDEX ix_doc_planned_posts_calendar; DROP INDEX ix_doc_planned_posts_status_calendar; DROP INDEX ix_doc_post_channels_channel_calendar; DROP INDEX ix_doc_post_channels_channel_status_calendar;";
            await downgrade.ExecuteNonQueryAsync();
        }

        SqliteConnection.ClearAllPools();
        await using var after = new ApiHost(data.Path, settings);
        var upgraded = new ApiClient(after.CreateHttpClient(), OperatorKey);
        async Task<List<string>> ListAsync(string query) =>
            [.. (await ApiClient.JsonAsync(await upgraded.TenantAsync(HttpMethod.Get, "/api/posts" + query, tenant.Id, tenant.OwnerKey)))
                .GetProperty("items").EnumerateArray().Select(p => p.GetProperty("postId").GetString()!)];

        await Eventually.UntilAsync(async () => (await ListAsync("")).SequenceEqual(ids), TimeSpan.FromSeconds(30));
        await Eventually.UntilAsync(async () => (await ListAsync($"?channelId={Page}&status=scheduled")).SequenceEqual(ids), TimeSpan.FromSeconds(30));
        Assert.Equal(ids.Take(2), await ListAsync($"?to={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(2.5).ToString("O"))}"));
    }
}
