using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansSocial.Api.Errors;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Hosting;

/// <summary>
/// The host's error pipeline (the same <c>AddProblemDetailsEverywhere</c> and
/// <c>UseProblemDetailsEverywhere</c> the API silo uses) in front of a JSON endpoint, on
/// real Kestrel, so request-reading failures are seen exactly as a client sees them.
/// </summary>
public sealed class ProblemDetailsPipelineTests : IAsyncLifetime
{
    private const long BodyLimit = 2048;
    private readonly TempFolder _folder = new("orleans-social-pipeline");
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public sealed record ItemRequest
    {
        public required string Name { get; init; }

        public int Count { get; init; }
    }

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = BodyLimit);
        builder.Services.AddProblemDetailsEverywhere();
        _app = builder.Build();
        _app.UseProblemDetailsEverywhere();
        _app.MapPost("/items", (ItemRequest item) => TypedResults.Ok(item));
        _app.MapGet("/boom", IResult () => throw new InvalidOperationException("secret internal detail"));

        // What a grain call throws while its silo dies, and what the store throws with no capacity left.
        _app.MapMethods("/silo-gone", ["GET", "POST"], IResult () => throw new Orleans.Runtime.SiloUnavailableException("secret silo S127.0.0.1:11111"));
        _app.MapGet("/connection-failed", IResult () => throw new Orleans.Runtime.Messaging.ConnectionFailedException("secret connection detail"));
        _app.MapPost("/timed-out", IResult () => throw new TimeoutException("secret response timeout detail"));
        // The front reads through TenantReads, which turns the store's refusal into the domain's: a real SQLite
        // store whose profile reads fail as an exhausted pool would.
        var sqlite = new OrleansSocial.Storage.Sqlite.SqliteDocumentStore(_folder.Path);
        await sqlite.InitializeAsync(CancellationToken.None);
        await sqlite.CreateDatabaseAsync("tenant_busy_t", CancellationToken.None);
        var failing = new PausingStore(sqlite, "profiles");
        failing.FailReads(new OrleansSocial.Storage.Documents.StorageBusyException("tenant_secret", TimeSpan.FromSeconds(2), new InvalidOperationException("pool exhausted")));
        var reads = new OrleansSocial.ReadModels.TenantReads(failing, new OrleansSocial.Storage.Placement.PlacedDocumentStore([new("main", 1, sqlite)]));
        _app.MapGet("/busy", async () => TypedResults.Ok(await reads.ProfileAsync("busy-t", "fb-1", CancellationToken.None)));
        await _app.StartAsync();
        _client = new HttpClient { BaseAddress = new Uri(_app.Urls.Single()) };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    private Task<HttpResponseMessage> PostAsync(string body, string mediaType = "application/json") =>
        _client.PostAsync("/items", new StringContent(body, Encoding.UTF8, mediaType));

    [Fact]
    public async Task Valid_body_is_accepted()
    {
        var response = await PostAsync("""{"name":"a","count":2}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Malformed_json_is_400_problem_details()
    {
        var problem = await ProblemAssert.IsProblemAsync(await PostAsync("""{"name": "a", """), 400);
        Assert.Contains("not valid JSON", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Unknown_field_is_400_naming_the_field()
    {
        var problem = await ProblemAssert.IsProblemAsync(await PostAsync("""{"name":"a","colour":"red"}"""), 400);
        Assert.Equal("Unknown field 'colour'.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Wrong_type_is_400_naming_the_field()
    {
        var problem = await ProblemAssert.IsProblemAsync(await PostAsync("""{"name":"a","count":"many"}"""), 400);
        Assert.Equal("Field 'count' has the wrong type.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Missing_required_field_is_400_naming_the_field()
    {
        var problem = await ProblemAssert.IsProblemAsync(await PostAsync("""{"count":1}"""), 400);
        Assert.Contains("'name'", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Missing_body_is_400()
    {
        var response = await _client.PostAsync("/items", new StringContent("", Encoding.UTF8, "application/json"));
        await ProblemAssert.IsProblemAsync(response, 400);
    }

    [Fact]
    public async Task Wrong_content_type_is_415_problem_details()
    {
        var problem = await ProblemAssert.IsProblemAsync(await PostAsync("name=a", "application/x-www-form-urlencoded"), 415);
        Assert.Contains("application/json", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Oversized_body_is_413_problem_details()
    {
        var big = $$"""{"name":"{{new string('x', (int)BodyLimit * 2)}}"}""";
        await ProblemAssert.IsProblemAsync(await PostAsync(big), 413);
    }

    [Fact]
    public async Task Unhandled_exception_is_500_without_internals()
    {
        var response = await _client.GetAsync("/boom");
        var problem = await ProblemAssert.IsProblemAsync(response, 500);
        Assert.DoesNotContain("secret internal detail", problem.ToString());
        Assert.True(problem.TryGetProperty("traceId", out _));
    }

    [Theory]
    [InlineData("GET", "/silo-gone")]
    [InlineData("POST", "/silo-gone")]
    [InlineData("GET", "/connection-failed")]
    [InlineData("POST", "/timed-out")]
    public async Task A_grain_call_lost_to_a_failing_silo_is_503_with_retry_after_not_500(string method, string path)
    {
        var response = await _client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        var problem = await ProblemAssert.IsProblemAsync(response, 503);
        Assert.EndsWith("/cluster-unavailable", problem.GetProperty("type").GetString());
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
        Assert.Equal(5, problem.GetProperty("retryAfter").GetInt32());
        Assert.DoesNotContain("secret", problem.ToString());

        // A write may have been done before the silo died: the client is told to read back, not to repeat blindly.
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Equal(method == "POST", detail.Contains("may or may not have been made", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_database_without_capacity_is_503_storage_busy_with_retry_after()
    {
        var response = await _client.GetAsync("/busy");
        var problem = await ProblemAssert.IsProblemAsync(response, 503);
        Assert.EndsWith("/storage-busy", problem.GetProperty("type").GetString());
        Assert.Equal(TimeSpan.FromSeconds(2), response.Headers.RetryAfter?.Delta);
        Assert.DoesNotContain("secret", problem.ToString());
        Assert.DoesNotContain("pool exhausted", problem.ToString());
    }
}
