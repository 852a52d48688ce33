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
}
