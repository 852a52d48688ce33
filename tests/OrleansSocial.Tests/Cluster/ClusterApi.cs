using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace OrleansSocial.Tests.Cluster;

/// <summary>The API of silo processes as their tests use it: a dead silo's request answers 503 instead of throwing.</summary>
internal static class ClusterApi
{
    public static async Task<(string Id, string Key)> CreateTenantAsync(HttpClient http, string id, string operatorKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/tenants") { Content = JsonContent.Create(new { id, name = id, plan = "pro", ownerEmail = $"owner@{id}.test" }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", operatorKey);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return (id, JsonDocument.Parse(body).RootElement.GetProperty("ownerApiKey").GetString()!);
    }

    public static async Task<HttpResponseMessage> Send(HttpClient http, HttpMethod method, string path, (string Id, string Key) tenant, object? body = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add("x-tenant-id", tenant.Id);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tenant.Key);
        try
        {
            return await http.SendAsync(request);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = new StringContent(exception.Message) };
        }
    }

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
