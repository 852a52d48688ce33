using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansSocial.Graph;
using OrleansSocial.GraphEmulator;
using OrleansSocial.GraphEmulator.Graph;

namespace OrleansSocial.Tests.Graph;

/// <summary>The emulator's own promises: determinism, its clock, its control API and Graph's rules it enforces.</summary>
public sealed class EmulatorBehaviourTests(GraphEmulatorFixture graph) : IClassFixture<GraphEmulatorFixture>, IAsyncLifetime
{
    public Task InitializeAsync() => graph.ResetAsync();

    public Task DisposeAsync() => graph.ResetAsync();

    private async Task<JsonElement> RawAsync(string pathAndQuery)
    {
        var response = await graph.Control.GetAsync(pathAndQuery);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_world()
    {
        await using var twin = await EmulatorHost.StartAsync(o =>
        {
            o.Seed = 7;
            o.Users = 2;
            o.PagesPerUser = 3;
            o.PostsPerPage = 60;
            o.MediaPerAccount = 30;
            o.StartTime = graph.Emulator.State.World.Epoch;
        });
        var first = graph.Emulator.State.World;
        var second = twin.State.World;

        Assert.Equal(first.PageAt(4), second.PageAt(4));
        Assert.Equal(first.PostsOf(first.PageAt(4), first.Epoch).Select(p => (p.Id, p.Message)), second.PostsOf(second.PageAt(4), second.Epoch).Select(p => (p.Id, p.Message)));
        Assert.Equal(graph.UserToken(1), twin.State.Tokens.UserTokenOf(second.Users[1]));
    }

    [Fact]
    public async Task Short_lived_tokens_expire_on_the_emulator_clock()
    {
        await using var own = await EmulatorHost.StartAsync(o => o.Users = 1);
        using var control = new HttpClient { BaseAddress = own.BaseUrl };
        var token = own.State.Tokens.UserTokenOf(own.State.World.Users[0]);

        Assert.Equal(HttpStatusCode.OK, (await control.GetAsync($"/v25.0/me?access_token={token}")).StatusCode);
        (await control.PostAsJsonAsync("/__emulator/clock", new { advanceSeconds = 3 * 3600 })).EnsureSuccessStatusCode();

        var expired = await control.GetAsync($"/v25.0/me?access_token={token}");
        var error = GraphException.FromBody(await expired.Content.ReadAsStringAsync(), (int)expired.StatusCode, GraphUsage.None)!;
        Assert.Equal((190, 463), (error.Code!.Value, error.Subcode!.Value));
    }

    [Fact]
    public async Task The_request_log_counts_calls_per_endpoint_and_object_and_never_holds_whole_tokens()
    {
        var token = await graph.PageTokenAsync(graph.PageId(0));
        (await graph.Control.DeleteAsync("/__emulator/log")).EnsureSuccessStatusCode();

        await graph.Client.GetPageAsync(graph.PageId(0), token);
        await graph.Client.GetPageAsync(graph.PageId(0), token);
        var log = await RawAsync("/__emulator/log");

        Assert.Equal(2, log.GetProperty("total").GetInt64());
        Assert.Equal(2, log.GetProperty("byEndpoint").GetProperty("GET {id}").GetInt64());
        Assert.Equal(2, log.GetProperty("byObject").GetProperty(graph.PageId(0)).GetInt64());
        Assert.DoesNotContain(token, log.ToString());
    }

    [Fact]
    public async Task Latency_faults_delay_answers()
    {
        var token = await graph.PageTokenAsync(graph.PageId(1));
        await graph.FaultAsync(new Fault { ObjectId = graph.PageId(1), LatencyMs = 300, Remaining = 1 });

        var watch = System.Diagnostics.Stopwatch.StartNew();
        await graph.Client.GetPageAsync(graph.PageId(1), token);

        Assert.True(watch.ElapsedMilliseconds >= 280, $"took {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Insights_rules_missing_metric_and_window_limit()
    {
        var token = await graph.PageTokenAsync(graph.PageId(0));

        var missing = await RawAsync($"/v25.0/{graph.PageId(0)}/insights?access_token={token}");
        Assert.Equal((3001, 1504028), (missing.GetProperty("error").GetProperty("code").GetInt32(), missing.GetProperty("error").GetProperty("error_subcode").GetInt32()));

        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var wide = await RawAsync($"/v25.0/{graph.PageId(0)}/insights?metric=page_follows&since={now - 100 * 86400}&until={now}&access_token={token}");
        Assert.Equal(100, wide.GetProperty("error").GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Batches_over_fifty_are_refused_and_every_operation_counts()
    {
        var token = await graph.PageTokenAsync(graph.PageId(2));
        var tooMany = JsonSerializer.Serialize(Enumerable.Range(0, 51).Select(_ => new { method = "GET", relative_url = graph.PageId(2) }));
        var refused = await graph.Control.PostAsync("/v25.0", new FormUrlEncodedContent(new Dictionary<string, string> { ["access_token"] = token, ["batch"] = tooMany }));
        Assert.Contains("Maximum batch size is 50", await refused.Content.ReadAsStringAsync());

        var before = graph.CallsTo(graph.PageId(2));
        var three = JsonSerializer.Serialize(Enumerable.Range(0, 3).Select(_ => new { method = "GET", relative_url = graph.PageId(2) }));
        (await graph.Control.PostAsync("/v25.0", new FormUrlEncodedContent(new Dictionary<string, string> { ["access_token"] = token, ["batch"] = three }))).EnsureSuccessStatusCode();
        Assert.Equal(3, graph.CallsTo(graph.PageId(2)) - before);
    }

    [Fact]
    public async Task Tokens_of_one_user_cannot_read_another_users_page()
    {
        var token = await graph.LongLivedUserTokenAsync(0);
        var error = await Assert.ThrowsAsync<GraphException>(() => graph.Client.GetPageAsync(graph.PageId(4), token));
        Assert.Equal((100, 33), (error.Code!.Value, error.Subcode!.Value));
    }

    [Fact]
    public async Task The_history_and_insight_change_controls_refuse_null_in_every_position_and_unknown_accounts()
    {
        var page = graph.PageId(0);
        var past = DateTimeOffset.UtcNow.AddDays(-3);
        var refused = new (string Route, string Body)[]
        {
            ("/__emulator/history", "null"),
            ("/__emulator/history", "{}"),
            ("/__emulator/history", "{\"objectId\":null,\"items\":[]}"),
            ("/__emulator/history", $"{{\"objectId\":\"{page}\",\"items\":null}}"),
            ("/__emulator/history", $"{{\"objectId\":\"{page}\",\"items\":[null]}}"),
            ("/__emulator/history", $"{{\"objectId\":\"{page}\",\"items\":[{{\"createdTime\":null,\"reactions\":1}}]}}"),
            ("/__emulator/history", $"{{\"objectId\":\"{page}\",\"items\":[{{\"createdTime\":\"{past:O}\",\"reactions\":null}}]}}"),
            ("/__emulator/history", $"{{\"objectId\":\"{page}\",\"items\":[{{\"createdTime\":\"{past:O}\",\"reactions\":-1}}]}}"),
            ("/__emulator/history", $"{{\"objectId\":\"{page}\",\"items\":[{{\"createdTime\":\"{DateTimeOffset.UtcNow.AddDays(30):O}\",\"reactions\":1}}]}}"),
            ("/__emulator/insights/change", "null"),
            ("/__emulator/insights/change", "{}"),
            ("/__emulator/insights/change", $"{{\"objectId\":null,\"metric\":\"reach\",\"day\":\"2026-12-01\",\"factor\":0.1}}"),
            ("/__emulator/insights/change", $"{{\"objectId\":\"{page}\",\"metric\":null,\"day\":\"2026-12-01\",\"factor\":0.1}}"),
            ("/__emulator/insights/change", $"{{\"objectId\":\"{page}\",\"metric\":\"reach\",\"day\":null,\"factor\":0.1}}"),
            ("/__emulator/insights/change", $"{{\"objectId\":\"{page}\",\"metric\":\"reach\",\"day\":\"2026-12-01\",\"factor\":null}}"),
            ("/__emulator/insights/change", $"{{\"objectId\":\"{page}\",\"metric\":\"reach\",\"day\":\"2026-12-01\",\"factor\":-1}}"),
        };
        foreach (var (route, body) in refused)
        {
            using var response = await graph.Control.PostAsync(route, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{route} {body}: {(int)response.StatusCode}");
        }

        foreach (var (route, body) in new[]
        {
            ("/__emulator/history", $"{{\"objectId\":\"999\",\"items\":[{{\"createdTime\":\"{past:O}\",\"reactions\":1}}]}}"),
            ("/__emulator/insights/change", "{\"objectId\":\"999\",\"metric\":\"reach\",\"day\":\"2026-12-01\",\"factor\":0.1}"),
        })
        {
            using var response = await graph.Control.PostAsync(route, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
    }
}
