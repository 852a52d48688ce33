using Microsoft.Extensions.DependencyInjection;
using OrleansSocial.Tests.Infrastructure;
using OrleansSocial.Tests.TestGrains;

namespace OrleansSocial.Tests.Hosting;

public sealed class RestartSafetyTests
{
    [Fact]
    public async Task State_and_reminders_survive_a_host_restart_on_the_same_data_folder()
    {
        using var data = new TempFolder();
        var probeId = "restart-" + Guid.NewGuid().ToString("N");

        await using (var first = new ApiHost(data.Path))
        {
            first.CreateHttpClient();
            var probe = first.Services.GetRequiredService<IGrainFactory>().GetGrain<IProbeGrain>(probeId);
            await probe.SetValue("kept across restarts");
            // Due after the first host has stopped, so only the second host can fire it.
            await probe.ScheduleTick(dueTime: TimeSpan.FromSeconds(12), period: TimeSpan.FromMinutes(1));
            Assert.Equal(0, (await probe.GetSnapshot()).Ticks);
        }

        await using var second = new ApiHost(data.Path);
        second.CreateHttpClient();
        var reloaded = second.Services.GetRequiredService<IGrainFactory>().GetGrain<IProbeGrain>(probeId);

        Assert.Equal("kept across restarts", (await reloaded.GetSnapshot()).Value);
        Assert.True(await reloaded.HasReminder());

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await reloaded.GetSnapshot()).Ticks == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
        }

        Assert.Equal(1, (await reloaded.GetSnapshot()).Ticks);
    }
}
