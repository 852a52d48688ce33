using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace OrleansSocial.Tests.Infrastructure;

/// <summary>Speaks the REST contract: operator calls, tenant calls with x-tenant-id and a member key.</summary>
public sealed class ApiClient(HttpClient http, string operatorKey)
{
    public sealed record Tenant(string Id, string OwnerKey, string OwnerMemberId);

    public HttpClient Http => http;

    public Task<HttpResponseMessage> OperatorAsync(HttpMethod method, string path, object? body = null, IDictionary<string, string>? headers = null) =>
        SendAsync(method, path, body, request =>
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", operatorKey);
            foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        });

    public Task<HttpResponseMessage> TenantAsync(HttpMethod method, string path, string? tenantId, string? key, object? body = null) =>
        SendAsync(method, path, body, request =>
        {
            if (tenantId is not null)
            {
                request.Headers.TryAddWithoutValidation("x-tenant-id", tenantId);
            }

            if (key is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }
        });

    public async Task<Tenant> CreateTenantAsync(string? id = null, string plan = "pro", string? name = null)
    {
        id ??= "t-" + Guid.NewGuid().ToString("N")[..10];
        var response = await OperatorAsync(HttpMethod.Post, "/admin/tenants", new { id, name = name ?? $"Tenant {id}", plan, ownerEmail = $"owner@{id}.test" });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"creating tenant {id}: {(int)response.StatusCode} {text}");
        using var json = JsonDocument.Parse(text);
        return new Tenant(id, json.RootElement.GetProperty("ownerApiKey").GetString()!, json.RootElement.GetProperty("ownerMemberId").GetString()!);
    }

    /// <summary>Adds a member with a role; returns its id and key.</summary>
    public async Task<(string MemberId, string Key)> AddMemberAsync(Tenant tenant, string role, params string[] permissions)
    {
        var response = await TenantAsync(HttpMethod.Post, "/api/members", tenant.Id, tenant.OwnerKey,
            new { email = $"{role}-{Guid.NewGuid():N}@{tenant.Id}.test", role, permissions });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"adding {role}: {(int)response.StatusCode} {text}");
        using var json = JsonDocument.Parse(text);
        return (json.RootElement.GetProperty("memberId").GetString()!, json.RootElement.GetProperty("apiKey").GetString()!);
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body, Action<HttpRequestMessage> decorate)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is string raw)
        {
            request.Content = new StringContent(raw, Encoding.UTF8, "application/json");
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        decorate(request);
        return await http.SendAsync(request);
    }
}
