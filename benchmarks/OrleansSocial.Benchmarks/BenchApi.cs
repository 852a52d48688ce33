using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace OrleansSocial.Benchmarks;

/// <summary>What the benchmarks do through the API: tenants, tenant requests, and bounded parallel work.</summary>
internal static class BenchApi
{
    /// <param name="isolation">database or schema; null: the enterprise plan's default (a database of its own).</param>
    public static async Task<(string Id, string Key)> CreateTenantAsync(HttpClient http, string id, string? isolation = null)
    {
        using var create = new HttpRequestMessage(HttpMethod.Post, "/admin/tenants") { Content = JsonContent.Create(new { id, name = id, plan = "enterprise", ownerEmail = $"owner@{id}.test", isolation }) };
        create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", BenchHost.OperatorKey);
        using var created = await http.SendAsync(create);
        created.EnsureSuccessStatusCode();
        return (id, (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ownerApiKey").GetString()!);
    }

    /// <summary>Lifts the tenant's API request limit: a benchmark measures the product, not its throttle.</summary>
    public static Task UnlimitedAsync(HttpClient http, string tenantId) => LimitsAsync(http, tenantId, new { apiRequestsPerMinute = int.MaxValue });

    /// <summary>Changes the tenant's plan limits as an operator would (<c>PATCH /admin/tenants/{id}</c>).</summary>
    public static async Task LimitsAsync(HttpClient http, string tenantId, object limits)
    {
        using var change = new HttpRequestMessage(HttpMethod.Patch, $"/admin/tenants/{tenantId}") { Content = JsonContent.Create(new { limits }) };
        change.Headers.Authorization = new AuthenticationHeaderValue("Bearer", BenchHost.OperatorKey);
        using var response = await http.SendAsync(change);
        response.EnsureSuccessStatusCode();
    }

    public static HttpRequestMessage TenantRequest(HttpMethod method, string path, (string Id, string Key) tenant, object? body)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add("x-tenant-id", tenant.Id);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tenant.Key);
        return request;
    }

    public static async Task<List<TResult>> ForEachAsync<T, TResult>(IReadOnlyList<T> items, int concurrency, Func<T, Task<TResult>> work)
    {
        var results = new TResult[items.Count];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < items.Count)
            {
                results[i] = await work(items[i]);
            }
        }));
        return [.. results];
    }
}
