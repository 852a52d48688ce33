using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Hosting;

/// <summary>One embedded host for the whole class: health, docs, dashboard and operator auth.</summary>
public sealed class OperationsEndpointsTests : IClassFixture<TenancyHost>
{
    private readonly TenancyHost _host;

    public OperationsEndpointsTests(TenancyHost host) => _host = host;

    [Fact]
    public async Task Liveness_and_readiness_answer_200_once_the_silo_is_active()
    {
        Assert.Equal(HttpStatusCode.OK, (await _host.Api.Http.GetAsync("/health/live")).StatusCode);

        var ready = await _host.Api.Http.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        var checks = body.RootElement.GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("silo").GetProperty("status").GetString());
        Assert.Equal("Healthy", checks.GetProperty("orleans-state").GetProperty("status").GetString());
    }

    [Fact]
    public async Task OpenApi_document_is_served()
    {
        var response = await _host.Api.Http.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.StartsWith("3.", document.RootElement.GetProperty("openapi").GetString());
        Assert.Equal("OrleansSocial API", document.RootElement.GetProperty("info").GetProperty("title").GetString());
    }

    [Fact]
    public async Task Api_reference_page_is_served()
    {
        using var client = new HttpClient { BaseAddress = _host.Host.BaseAddress };
        var response = await client.GetAsync("/reference/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Dashboard_without_the_operator_key_is_401_problem_details()
    {
        var response = await _host.Api.Http.GetAsync("/dashboard");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }

    [Fact]
    public async Task Dashboard_with_a_wrong_operator_key_is_401()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/dashboard/");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TenancyHost.OperatorKey + "x");
        Assert.Equal(HttpStatusCode.Unauthorized, (await _host.Api.Http.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task Dashboard_with_the_operator_key_is_200()
    {
        using var client = new HttpClient { BaseAddress = _host.Host.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TenancyHost.OperatorKey);

        var response = await client.GetAsync("/dashboard");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("Orleans Dashboard", page);
        // Served at the bare path, its relative assets must still resolve under /dashboard/.
        Assert.Contains("<base href=\"/dashboard/\">", page);
        var script = await client.GetAsync("/dashboard/index.min.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
    }

    [Fact]
    public async Task Dashboard_accepts_the_operator_key_as_basic_auth_password_for_browsers()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/dashboard/");
        request.Headers.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("operator:" + TenancyHost.OperatorKey)));
        Assert.Equal(HttpStatusCode.OK, (await _host.Api.Http.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task Unknown_route_is_404_problem_details()
    {
        var response = await _host.Api.Http.GetAsync("/no/such/route");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        await ProblemAssert.IsProblemAsync(response, 404);
    }

    [Fact]
    public async Task Wrong_method_is_405_problem_details()
    {
        var response = await _host.Api.Http.PutAsync("/openapi/v1.json", null);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        await ProblemAssert.IsProblemAsync(response, 405);
    }
}
