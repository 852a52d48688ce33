using System.Net;
using OrleansSocial.GraphEmulator.World;
using OrleansSocial.Tests.Infrastructure;
using OrleansSocial.Tests.Posts;

namespace OrleansSocial.Tests.Channels;

/// <summary>
/// Connecting runs in a grain, through the app's rate budget: Graph failing is a 502, Graph
/// throttling the app a 503 with Retry-After (graph-budget), and neither leaves a channel behind.
/// </summary>
public sealed class ChannelConnectFailureTests(PublishingHost host) : IClassFixture<PublishingHost>
{
    [Fact]
    public async Task Graph_failing_is_a_502_and_graph_throttling_the_app_a_503_with_retry_after_and_nothing_is_connected()
    {
        var tenant = await host.Api.CreateTenantAsync();
        await host.FaultAsync(new { method = "GET", pathPrefix = "oauth/access_token", httpStatus = 500, remaining = 50 });

        var failed = await ProblemAssert.IsProblemAsync(await host.Api.TenantAsync(HttpMethod.Post, "/api/channels/facebook", tenant.Id, tenant.OwnerKey, new { userAccessToken = TokenStore.DemoUserToken }), 502);
        Assert.Equal("Facebook error", failed.GetProperty("title").GetString());
        await host.Emulator.DeleteAsync("/__emulator/faults");

        await host.FaultAsync(new { method = "GET", pathPrefix = "oauth/access_token", code = 4, message = "Application request limit reached", remaining = 1 });
        var throttled = await host.Api.TenantAsync(HttpMethod.Post, "/api/channels/facebook", tenant.Id, tenant.OwnerKey, new { userAccessToken = TokenStore.DemoUserToken });
        var problem = await ProblemAssert.IsProblemAsync(throttled, 503);
        Assert.EndsWith("graph-budget", problem.GetProperty("type").GetString());
        Assert.NotNull(throttled.Headers.RetryAfter);

        var channels = await ApiClient.JsonAsync(await host.Api.TenantAsync(HttpMethod.Get, "/api/channels", tenant.Id, tenant.OwnerKey));
        Assert.Equal(0, channels.GetProperty("items").GetArrayLength());
    }
}
