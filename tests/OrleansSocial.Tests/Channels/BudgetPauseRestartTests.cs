using Microsoft.Extensions.DependencyInjection;
using OrleansSocial.Budget;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Channels;

/// <summary>
/// A bucket Graph throttled stays paused across a restart of the silo that held it: the pause is in
/// Orleans grain state (the embedded host's SQLite provider here), so the next activation does not let
/// waiting callers hit the throttled bucket again. Usage that was only reported (no pause) is not kept.
/// </summary>
public sealed class BudgetPauseRestartTests
{
    [Fact]
    public async Task A_paused_bucket_is_still_paused_after_a_restart_and_an_unpaused_one_grants()
    {
        using var data = new TempFolder("orleans-social-budget-pause");
        var paused = "page:pause-" + Guid.NewGuid().ToString("N");
        var busy = "page:busy-" + Guid.NewGuid().ToString("N");
        DateTimeOffset until;
        await using (var first = new ApiHost(data.Path))
        {
            var grains = first.Services.GetRequiredService<IGrainFactory>();
            await grains.GetGrain<IRateBudgetGrain>(paused).Report(new BudgetReport(100, TimeSpan.FromMinutes(30), Throttled: true));
            var refused = await grains.GetGrain<IRateBudgetGrain>(paused).Request(BudgetPriority.Publishing, 1, "t1");
            Assert.False(refused.Granted);
            until = refused.RetryAt!.Value;
            await grains.GetGrain<IRateBudgetGrain>(busy).Report(new BudgetReport(97, TimeSpan.Zero, Throttled: false));
        }

        await using var second = new ApiHost(data.Path);
        var again = second.Services.GetRequiredService<IGrainFactory>();
        var decision = await again.GetGrain<IRateBudgetGrain>(paused).Request(BudgetPriority.Publishing, 1, "t1");
        Assert.False(decision.Granted);
        Assert.Equal(until, decision.RetryAt);
        Assert.True((await again.GetGrain<IRateBudgetGrain>(busy).Request(BudgetPriority.Publishing, 1, "t1")).Granted);
    }
}
