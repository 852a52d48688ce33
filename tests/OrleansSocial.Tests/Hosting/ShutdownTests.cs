using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Hosting;

public sealed class ShutdownTests
{
    [Fact]
    public async Task On_shutdown_readiness_turns_false_while_requests_are_still_served()
    {
        using var data = new TempFolder();
        await using var host = new ApiHost(data.Path, new Dictionary<string, string?> { ["Api:ShutdownDrainDelay"] = "00:00:04" });
        using var http = host.CreateHttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/ready")).StatusCode);

        // As on SIGTERM: shutdown begins on another thread, which the drain holds up.
        var stopping = Task.Run(() => host.Services.GetRequiredService<IHost>().StopAsync());
        // Poll until readiness turns, with a deadline well inside the 4 s drain.
        var deadline = DateTime.UtcNow.AddSeconds(3);
        var ready = HttpStatusCode.OK;
        while (ready == HttpStatusCode.OK && DateTime.UtcNow < deadline)
        {
            ready = (await http.GetAsync("/health/ready")).StatusCode;
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready);
        Assert.False(stopping.IsCompleted);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
        await stopping;
    }

    /// <summary>
    /// A normal stop of the real host after it served a tenant (so tenant grains hold this silo's access
    /// cache) and synced its channels is quiet: no error, no retry chatter from calls to the stopping silo.
    /// </summary>
    [Fact]
    public async Task A_graceful_stop_after_work_logs_no_error_and_no_retries()
    {
        using var data = new TempFolder("orleans-social-quiet-stop");
        const string operatorKey = "quiet-stop-operator-key-0123456789abcdef";
        var settings = new Dictionary<string, string> { ["Operator:ApiKey"] = operatorKey, ["Data:Path"] = data.Path, ["Sync:InitialSyncWindow"] = "00:00:02" };
        await using var host = SiloProcess.Start(data.Path, settings, logLevels: true);
        await host.WaitReadyAsync(TimeSpan.FromSeconds(90));
        var api = new ApiClient(new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.HttpPort}") }, operatorKey);
        var tenant = await api.CreateTenantAsync();
        Assert.Equal(HttpStatusCode.OK, (await api.TenantAsync(HttpMethod.Get, "/api/tenant", tenant.Id, tenant.OwnerKey)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await api.TenantAsync(HttpMethod.Post, "/api/channels/facebook", tenant.Id, tenant.OwnerKey,
            new { userAccessToken = OrleansSocial.GraphEmulator.World.TokenStore.DemoUserToken })).StatusCode);
        Assert.True(await host.WaitForOutputAsync("ended Succeeded", TimeSpan.FromSeconds(60)), host.Output);

        host.Terminate();
        Assert.Equal(0, await host.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var stopping = host.Output[host.Output.IndexOf("Application is shutting down", StringComparison.Ordinal)..];
        Assert.DoesNotContain("fail:", stopping);
        Assert.DoesNotContain("crit:", stopping);
        Assert.DoesNotContain("Polly", stopping);
        Assert.DoesNotContain("Exception", stopping);
    }
}
