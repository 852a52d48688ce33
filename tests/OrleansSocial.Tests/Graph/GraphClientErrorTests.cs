using System.Net.Http.Json;
using OrleansSocial.Graph;
using OrleansSocial.Graph.Models;
using OrleansSocial.GraphEmulator.Graph;

namespace OrleansSocial.Tests.Graph;

/// <summary>Every error class, retries, throttling, the per-object circuit breaker, batch failures and appsecret_proof.</summary>
public sealed class GraphClientErrorTests(GraphEmulatorFixture graph) : IClassFixture<GraphEmulatorFixture>, IAsyncLifetime
{
    private GraphClient Client => graph.Client;

    public Task InitializeAsync() => graph.ResetAsync();

    public Task DisposeAsync() => graph.ResetAsync();

    [Fact]
    public async Task A_transient_error_is_retried_and_the_call_succeeds()
    {
        var token = await graph.PageTokenAsync(graph.PageId(0));
        await graph.FaultAsync(new Fault { ObjectId = graph.PageId(0), Code = 2, Message = "Service temporarily unavailable", IsTransient = true, Remaining = 2 });
        var before = graph.CallsTo(graph.PageId(0));

        var page = await Client.GetPageAsync(graph.PageId(0), token);

        Assert.Equal(graph.PageId(0), page.Value.Id);
        Assert.Equal(3, graph.CallsTo(graph.PageId(0)) - before);
    }

    [Fact]
    public async Task A_lasting_transient_error_surfaces_as_transient_after_bounded_retries()
    {
        var token = await graph.PageTokenAsync(graph.PageId(1));
        await graph.FaultAsync(new Fault { ObjectId = graph.PageId(1), Code = 1, Message = "An unknown error occurred" });
        var before = graph.CallsTo(graph.PageId(1));

        var error = await Assert.ThrowsAsync<GraphException>(() => Client.GetPageAsync(graph.PageId(1), token));

        Assert.Equal(GraphErrorKind.Transient, error.Kind);
        Assert.Equal(1, error.Code);
        Assert.False(string.IsNullOrEmpty(error.FbTraceId));
        Assert.Equal(4, graph.CallsTo(graph.PageId(1)) - before);
    }

    [Fact]
    public async Task A_5xx_without_an_envelope_is_transient()
    {
        var token = await graph.PageTokenAsync(graph.PageId(2));
        await graph.FaultAsync(new Fault { ObjectId = graph.PageId(2), HttpStatus = 502 });

        var error = await Assert.ThrowsAsync<GraphException>(() => Client.GetPageAsync(graph.PageId(2), token));

        Assert.Equal(GraphErrorKind.Transient, error.Kind);
        Assert.Equal(502, error.HttpStatus);
    }

    [Fact]
    public async Task Writes_are_never_retried_blindly()
    {
        var token = await graph.PageTokenAsync(graph.PageId(0));
        await graph.FaultAsync(new Fault { ObjectId = graph.PageId(0), Code = 2, IsTransient = true, Remaining = 1 });
        var before = graph.CallsTo(graph.PageId(0));

        var error = await Assert.ThrowsAsync<GraphException>(() => Client.PublishPagePostAsync(graph.PageId(0), token, "no blind retry " + Guid.NewGuid()));

        Assert.Equal(GraphErrorKind.Transient, error.Kind);
        Assert.Equal(1, graph.CallsTo(graph.PageId(0)) - before);
    }

    [Fact]
    public async Task Throttling_comes_back_with_its_regain_time_and_is_not_retried()
    {
        var token = await graph.PageTokenAsync(graph.PageId(3), user: 1);
        graph.Emulator.State.Buckets.PageCallsPerDay = 3;
        for (var i = 0; i < 3; i++)
        {
            await Client.GetPageAsync(graph.PageId(3), token);
        }

        var before = graph.CallsTo(graph.PageId(3));
        var error = await Assert.ThrowsAsync<GraphException>(() => Client.GetPageAsync(graph.PageId(3), token));

        Assert.Equal(GraphErrorKind.Throttled, error.Kind);
        Assert.Equal(80001, error.Code);
        Assert.True(error.RegainAfter > TimeSpan.Zero);
        Assert.True(error.Usage.MaxPercent >= 100);
        Assert.Equal(1, graph.CallsTo(graph.PageId(3)) - before);
    }

    [Fact]
    public async Task App_level_throttling_is_code_4_and_throttled_not_transient()
    {
        var token = await graph.LongLivedUserTokenAsync();
        graph.Emulator.State.Buckets.AppCallsPerHour = 1;
        graph.Emulator.State.Buckets.Reset();
        await Client.GetPageAsync(graph.PageId(0), token);

        var error = await Assert.ThrowsAsync<GraphException>(() => Client.GetPageAsync(graph.PageId(0), token));

        Assert.Equal(GraphErrorKind.Throttled, error.Kind);
        Assert.Equal(4, error.Code);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task An_expired_or_revoked_token_is_token_invalid_with_its_subcode_and_never_in_the_message()
    {
        var expired = await graph.PageTokenAsync(graph.PageId(4), user: 1);
        (await graph.Control.PostAsJsonAsync("/__emulator/tokens/expire", new { token = expired })).EnsureSuccessStatusCode();
        var revoked = await graph.LongLivedUserTokenAsync(1);
        (await graph.Control.PostAsJsonAsync("/__emulator/tokens/revoke", new { token = revoked, subcode = 460 })).EnsureSuccessStatusCode();

        var expiredError = await Assert.ThrowsAsync<GraphException>(() => Client.GetPageAsync(graph.PageId(4), expired));
        var revokedError = await Assert.ThrowsAsync<GraphException>(() => Client.GetPageAsync(graph.PageId(4), revoked));

        Assert.Equal((GraphErrorKind.TokenInvalid, 190, 463), (expiredError.Kind, expiredError.Code!.Value, expiredError.Subcode!.Value));
        Assert.Equal((GraphErrorKind.TokenInvalid, 460), (revokedError.Kind, revokedError.Subcode!.Value));
        Assert.DoesNotContain(expired, expiredError.ToString());
        Assert.DoesNotContain(revoked, revokedError.ToString());
        Assert.False((await Client.DebugTokenAsync(expired)).Value.IsValid);
    }

    [Theory]
    [InlineData(200, GraphErrorKind.PermissionMissing)]
    [InlineData(10, GraphErrorKind.PermissionMissing)]
    [InlineData(100, GraphErrorKind.InvalidRequest)]
    [InlineData(12345, GraphErrorKind.Unknown)]
    public async Task Other_codes_are_classified_from_the_body(int code, GraphErrorKind kind)
    {
        var token = await graph.PageTokenAsync(graph.PageId(5), user: 1);
        await graph.FaultAsync(new Fault { ObjectId = graph.PageId(5), Code = code, Remaining = 1 });

        var error = await Assert.ThrowsAsync<GraphException>(() => Client.GetPageAsync(graph.PageId(5), token));

        Assert.Equal(kind, error.Kind);
        Assert.Equal(code, error.Code);
    }

    [Fact]
    public async Task One_failing_object_opens_only_its_own_circuit()
    {
        var (services, client) = graph.NewClient(o => o.MaxRetries = 1);
        await using var _ = services;
        var bad = await graph.PageTokenAsync(graph.PageId(1));
        var good = await graph.PageTokenAsync(graph.PageId(0));
        await graph.FaultAsync(new Fault { ObjectId = graph.PageId(1), HttpStatus = 503 });

        for (var i = 0; i < 8; i++)
        {
            await Assert.ThrowsAsync<GraphException>(() => client.GetPageAsync(graph.PageId(1), bad));
        }

        var callsWhileOpen = graph.CallsTo(graph.PageId(1));
        var open = await Assert.ThrowsAsync<GraphException>(() => client.GetPageAsync(graph.PageId(1), bad));

        Assert.IsType<Polly.CircuitBreaker.BrokenCircuitException>(open.InnerException);
        Assert.Equal(callsWhileOpen, graph.CallsTo(graph.PageId(1)));
        Assert.Equal(graph.PageId(0), (await client.GetPageAsync(graph.PageId(0), good)).Value.Id);
    }

    [Fact]
    public async Task Batch_returns_each_operation_on_its_own_including_a_failed_one()
    {
        var token = await graph.PageTokenAsync(graph.PageId(0));

        var batch = (await Client.BatchAsync(token,
        [
            BatchOperation.Get($"{graph.PageId(0)}?fields=fan_count,followers_count"),
            BatchOperation.Get("999999?fields=id"),
            BatchOperation.Get($"{graph.PageId(0)}/published_posts?limit=3&fields=id", name: "posts"),
            BatchOperation.Get("?ids={result=posts:$.data.*.id}&fields=id,message") with { DependsOn = "posts" },
        ])).Value;

        Assert.Equal(4, batch.Count);
        Assert.True(batch[0].Succeeded);
        Assert.True(batch[0].Body!.Value.GetProperty("fan_count").GetInt64() > 0);
        Assert.Equal(GraphErrorKind.InvalidRequest, batch[1].Error!.Kind);
        Assert.Equal(33, batch[1].Error!.Subcode);
        Assert.True(batch[2].Omitted);
        Assert.Equal(3, batch[3].Body!.Value.EnumerateObject().Count());
        Assert.Equal("pages", batch[0].Usage.BusinessUseCases.Single().Type);
    }

    [Fact]
    public async Task A_batch_over_fifty_operations_is_refused_before_sending()
    {
        var operations = Enumerable.Range(0, 51).Select(_ => BatchOperation.Get("me")).ToList();
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Client.BatchAsync("any", operations));
    }

    [Fact]
    public async Task Appsecret_proof_is_sent_when_configured_and_required_when_the_app_demands_it()
    {
        var token = await graph.PageTokenAsync(graph.PageId(0));
        var (services, withoutSecret) = graph.NewClient(o => o.AppSecret = null);
        await using var _ = services;
        graph.Emulator.State.Options.RequireAppSecretProof = true;
        try
        {
            Assert.Equal(graph.PageId(0), (await Client.GetPageAsync(graph.PageId(0), token)).Value.Id);
            var error = await Assert.ThrowsAsync<GraphException>(() => withoutSecret.GetPageAsync(graph.PageId(0), token));
            Assert.Equal(GraphErrorKind.InvalidRequest, error.Kind);
            Assert.Contains("appsecret_proof", error.Message);
        }
        finally
        {
            graph.Emulator.State.Options.RequireAppSecretProof = false;
        }
    }
}
