using OrleansSocial.Budget;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Channels;

/// <summary>
/// Two tenants that connected the same Page share its Graph budget (as on Facebook). Within a
/// priority they take turns: one tenant's manual syncs cannot spend the calls the other needs.
/// Through the real rate-budget grain in the two-silo cluster, fed the usage reports a Page's
/// responses carry (one call is 1% here).
/// </summary>
[Collection(SyncClusterCollection.Name)]
public sealed class FairBudgetTests(SyncClusterFixture fixture)
{
    [Fact]
    public async Task A_tenant_spending_a_shared_page_budget_leaves_the_other_tenant_its_turn()
    {
        SyncClusterFixture.Clock.Set(DateTimeOffset.UtcNow);
        var page = fixture.Grains.GetGrain<IRateBudgetGrain>("page:fair-" + Guid.NewGuid().ToString("N"));
        var percent = 0.0;
        await page.Report(new(percent, TimeSpan.Zero, false));

        async Task<bool> SpendAsync(string tenant)
        {
            if (!(await page.Request(BudgetPriority.Manual, 1, tenant)).Granted)
            {
                return false;
            }

            percent += 1;
            await page.Report(new(percent, TimeSpan.Zero, false));
            return true;
        }

        // The quiet tenant synced once; the busy one then syncs as often as the bucket lets it.
        Assert.True(await SpendAsync("quiet"));
        var busyCalls = 0;
        while (busyCalls < 200 && await SpendAsync("busy"))
        {
            busyCalls++;
        }

        // The busy tenant stopped short of the 98% manual ceiling, leaving a turn's worth of calls.
        Assert.InRange(percent, 90, 94);
        var quietCalls = 0;
        while (quietCalls < 10 && await SpendAsync("quiet"))
        {
            quietCalls++;
        }

        Assert.True(quietCalls >= 5, $"the quiet tenant got {quietCalls} calls after the busy one spent {busyCalls}");
        Assert.False(await SpendAsync("busy"));
    }

    [Fact]
    public async Task A_tenant_alone_on_a_page_may_spend_up_to_the_ceiling()
    {
        SyncClusterFixture.Clock.Set(DateTimeOffset.UtcNow);
        var page = fixture.Grains.GetGrain<IRateBudgetGrain>("page:alone-" + Guid.NewGuid().ToString("N"));
        var percent = 0.0;
        await page.Report(new(percent, TimeSpan.Zero, false));
        while (percent < 200 && (await page.Request(BudgetPriority.Manual, 1, "only")).Granted)
        {
            percent += 1;
            await page.Report(new(percent, TimeSpan.Zero, false));
        }

        Assert.Equal(98, percent);
    }

    /// <summary>
    /// An app bucket: a call is 0.05% and Graph reports whole percents, so two reports in a row
    /// differ by 0 or 1. Ten tenants, one busier than the rest, must get through until near the
    /// ceiling, not be parked at half of it because one call looked like 1% (seen in the
    /// 10,000-channel scheduled run: first syncs parked with most of the app's hour unspent).
    /// </summary>
    [Fact]
    public async Task A_bucket_reported_in_whole_percents_learns_a_call_from_many_and_keeps_turns_open()
    {
        SyncClusterFixture.Clock.Set(DateTimeOffset.UtcNow);
        var app = fixture.Grains.GetGrain<IRateBudgetGrain>("app:whole-" + Guid.NewGuid().ToString("N"));
        var calls = 0;
        await app.Report(new(0, TimeSpan.Zero, false));
        var firstRefusal = double.NaN;
        for (var round = 0; round < 250 && double.IsNaN(firstRefusal); round++)
        {
            // t0 asks twice a round: it is always the one that has spent most.
            foreach (var tenant in new[] { 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 })
            {
                if (!(await app.Request(BudgetPriority.Scheduled, 1, $"t{tenant}")).Granted)
                {
                    firstRefusal = Math.Floor(calls * 0.05);
                    break;
                }

                calls++;
                await app.Report(new(Math.Floor(calls * 0.05), TimeSpan.Zero, false));
            }
        }

        // 95% is the scheduled ceiling; turns keep 5 calls (0.25%) per tenant behind in reserve.
        Assert.InRange(firstRefusal, 90, 95);
    }

    /// <summary>
    /// The same bucket as seen under load: answers to concurrent calls report a little late (a point
    /// lower than the one before, now and then), and every scheduled run starts with a debug_token
    /// whose answer carries no usage header at all. Neither may reset what the bucket measured (seen
    /// in the 4,000-channel scheduled run: first syncs parked at a fifth of the app's hour).
    /// </summary>
    [Fact]
    public async Task Late_reports_and_answers_without_usage_leave_the_measured_call_alone()
    {
        SyncClusterFixture.Clock.Set(DateTimeOffset.UtcNow);
        // A call is 0.01 %: a hundred calls to a reported point.
        const double PerCall = 0.01;
        var app = fixture.Grains.GetGrain<IRateBudgetGrain>("app:late-" + Guid.NewGuid().ToString("N"));
        var calls = 0;
        await app.Report(new(0, TimeSpan.Zero, false));
        var firstRefusal = double.NaN;
        for (var round = 0; round < 500 && double.IsNaN(firstRefusal); round++)
        {
            foreach (var tenant in new[] { 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 })
            {
                var gate = new OrleansSocial.Grains.Budget.BudgetGate(app, TimeProvider.System, $"t{tenant}");
                try
                {
                    // A debug_token: granted, spent, answered without usage headers.
                    await gate.CallAsync(BudgetPriority.Scheduled, 1, () => Task.FromResult(0), _ => OrleansSocial.Graph.GraphUsage.None);
                    calls++;
                    if (!(await app.Request(BudgetPriority.Scheduled, 1, $"t{tenant}")).Granted)
                    {
                        firstRefusal = Math.Floor(calls * PerCall);
                        break;
                    }
                }
                catch (OrleansSocial.Grains.Budget.BudgetDeferredException)
                {
                    firstRefusal = Math.Floor(calls * PerCall);
                    break;
                }

                calls++;
                // Every seventh answer is one that left Graph sixty calls ago.
                var reported = calls % 7 == 0 ? Math.Max(0, calls - 60) : calls;
                await app.Report(new(Math.Floor(reported * PerCall), TimeSpan.Zero, false));
            }
        }

        Assert.InRange(firstRefusal, 88, 95);
    }

    /// <summary>
    /// An app bucket the syncs reach only through debug_token, whose answers carry no usage header:
    /// Graph never says how full it is. Thirty tenants taking turns must not be parked on a guess
    /// (the 4,000-channel scheduled run parked 500-860 first syncs at "0 % used, 94 calls left").
    /// </summary>
    [Fact]
    public async Task A_bucket_graph_never_reported_parks_nobody_on_the_fair_share()
    {
        SyncClusterFixture.Clock.Set(DateTimeOffset.UtcNow);
        var app = fixture.Grains.GetGrain<IRateBudgetGrain>("app:silent-" + Guid.NewGuid().ToString("N"));
        var refused = new List<string>();
        for (var round = 0; round < 5; round++)
        {
            foreach (var tenant in Enumerable.Range(0, 30))
            {
                var gate = new OrleansSocial.Grains.Budget.BudgetGate(app, TimeProvider.System, $"t{tenant}");
                try
                {
                    // The busiest tenant asks three times a round.
                    foreach (var _ in Enumerable.Range(0, tenant == 0 ? 3 : 1))
                    {
                        await gate.CallAsync(BudgetPriority.Scheduled, 1, () => Task.FromResult(0), _ => OrleansSocial.Graph.GraphUsage.None);
                    }
                }
                catch (OrleansSocial.Grains.Budget.BudgetDeferredException deferred)
                {
                    refused.Add(deferred.Message);
                }
            }
        }

        Assert.Empty(refused);
    }
}
