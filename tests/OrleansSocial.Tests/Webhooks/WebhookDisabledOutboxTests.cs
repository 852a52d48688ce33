using System.Text.Json;
using Microsoft.Data.Sqlite;
using OrleansSocial.Grains.Webhooks;
using OrleansSocial.ReadModels;
using OrleansSocial.Tests.Infrastructure;
using OrleansSocial.Webhooks;

namespace OrleansSocial.Tests.Webhooks;

/// <summary>
/// A process killed between disabling an endpoint (the record written with its <c>webhook.disabled</c>
/// event beside it) and handing the event over does not lose the event: the endpoint's next
/// activation hands it to the tenant's other endpoints.
/// </summary>
public sealed class WebhookDisabledOutboxTests
{
    private const string OperatorKey = "disabled-outbox-operator-key-0123456789";

    [Fact]
    public async Task A_webhook_disabled_event_kept_in_the_record_reaches_the_other_endpoints_at_the_next_activation()
    {
        using var data = new TempFolder("orleans-social-disabled-outbox");
        var settings = new Dictionary<string, string?> { ["Operator:ApiKey"] = OperatorKey, ["Webhooks:AllowPrivateNetworks"] = "true" };
        ApiClient.Tenant tenant;
        string failing, watching;
        await using (var before = new ApiHost(data.Path, settings))
        {
            var api = new ApiClient(before.CreateHttpClient(), OperatorKey);
            tenant = await api.CreateTenantAsync();
            async Task<string> RegisterAsync(string url, string events) => (await ApiClient.JsonAsync(await api.TenantAsync(HttpMethod.Post, "/api/webhooks", tenant.Id, tenant.OwnerKey,
                new { url, events = new[] { events } }))).GetProperty("webhook").GetProperty("webhookId").GetString()!;
            failing = await RegisterAsync("http://127.0.0.1:9/failing", WebhookEventTypes.PostPublished);
            watching = await RegisterAsync("http://127.0.0.1:9/watching", WebhookEventTypes.WebhookDisabled);
        }

        // What the killed process left: the endpoint disabled, its announcement written beside it and never relayed.
        SqliteConnection.ClearAllPools();
        await using (var connection = new SqliteConnection($"Data Source={TenantFiles.PathOf(data.Path, tenant.Id)}"))
        {
            await connection.OpenAsync();
            await using var read = connection.CreateCommand();
            read.CommandText = "SELECT body FROM doc_webhooks WHERE id = $id";
            read.Parameters.AddWithValue("$id", failing);
            var stored = JsonDocument.Parse((string)(await read.ExecuteScalarAsync())!).RootElement;
            var disabled = DocumentJson.ToJson(DocumentJson.FromJson<WebhookDocument>(stored) with { Enabled = false, DisabledReason = "5 deliveries in a row failed", ConsecutiveFailures = 5 });
            var announced = WebhookEvent.Create(WebhookEventTypes.WebhookDisabled, tenant.Id, DateTimeOffset.UtcNow, new WebhookDisabledData(failing, "http://127.0.0.1:9/failing", "5 deliveries in a row failed"));
            await using var write = connection.CreateCommand();
            write.CommandText = "UPDATE doc_webhooks SET body = $body WHERE id = $id";
            write.Parameters.AddWithValue("$body", WebhookOutbox.WithOutbox(disabled, [announced]).GetRawText());
            write.Parameters.AddWithValue("$id", failing);
            await write.ExecuteNonQueryAsync();
        }

        SqliteConnection.ClearAllPools();
        await using var after = new ApiHost(data.Path, settings);
        var restarted = new ApiClient(after.CreateHttpClient(), OperatorKey);
        // Any request that activates the endpoint (here, reading it) hands the kept event over.
        Assert.False((await ApiClient.JsonAsync(await restarted.TenantAsync(HttpMethod.Get, $"/api/webhooks/{failing}", tenant.Id, tenant.OwnerKey))).GetProperty("enabled").GetBoolean());
        await Eventually.UntilAsync(async () => (await ApiClient.JsonAsync(await restarted.TenantAsync(HttpMethod.Get, $"/api/webhooks/{watching}/deliveries", tenant.Id, tenant.OwnerKey)))
            .GetProperty("items").EnumerateArray().Any(d => d.GetProperty("eventType").GetString() == WebhookEventTypes.WebhookDisabled), TimeSpan.FromSeconds(20));
    }
}
