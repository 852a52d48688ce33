using System.Net;
using System.Text.Json;

namespace OrleansSocial.Tests.Infrastructure;

/// <summary>A manual sync through the API, waited for until its run has ended.</summary>
public static class SyncRuns
{
    /// <summary>Starts a manual run of the kinds asked (daily when none), waits for it to end and asserts it succeeded; the run as listed.</summary>
    public static async Task<JsonElement> SyncAndWaitAsync(this ApiClient api, ApiClient.Tenant tenant, string channel, params string[] kinds)
    {
        var accepted = await api.TenantAsync(HttpMethod.Post, $"/api/channels/{channel}/sync", tenant.Id, tenant.OwnerKey, new { kinds = kinds.Length == 0 ? ["daily"] : kinds });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var runId = (await ApiClient.JsonAsync(accepted)).GetProperty("syncRunId").GetString();
        JsonElement run = default;
        await Eventually.UntilAsync(async () =>
        {
            var runs = await ApiClient.JsonAsync(await api.TenantAsync(HttpMethod.Get, $"/api/channels/{channel}/sync-runs", tenant.Id, tenant.OwnerKey));
            run = runs.GetProperty("items").EnumerateArray().FirstOrDefault(r => r.GetProperty("syncRunId").GetString() == runId);
            return run.ValueKind == JsonValueKind.Object && run.GetProperty("status").GetString() is "succeeded" or "failed";
        }, TimeSpan.FromSeconds(60));
        Assert.True(run.GetProperty("status").GetString() == "succeeded", run.GetRawText());
        return run;
    }
}
