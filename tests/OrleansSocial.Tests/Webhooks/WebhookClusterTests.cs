using OrleansSocial.Tenancy;
using OrleansSocial.Tests.Infrastructure;
using OrleansSocial.Webhooks;

namespace OrleansSocial.Tests.Webhooks;

/// <summary>Webhook delivery on two silos: the silo delivering an endpoint's events dies, and nothing is lost.</summary>
[Collection(SyncClusterCollection.Name)]
public sealed class WebhookClusterTests(SyncClusterFixture fixture)
{
    [Fact]
    public async Task An_event_waiting_for_its_receiver_is_delivered_after_the_silo_delivering_it_is_killed()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (tenantId, _) = await fixture.TenantWithChannelsAsync();
        var management = fixture.Grains.GetGrain<IManagementGrain>(0);

        // An endpoint whose grain lives on a secondary silo. Placement is random, and a secondary silo another
        // test of this collection has just restarted takes a moment to receive placements: try until a deadline,
        // deleting the endpoints that landed elsewhere (the tenant's endpoint cap counts them).
        (IWebhookGrain Grain, string Url, Orleans.TestingHost.SiloHandle Silo)? chosen = null;
        for (var deadline = DateTime.UtcNow.AddSeconds(60); chosen is null && DateTime.UtcNow < deadline;)
        {
            var url = receiver.Endpoint(503, 503, 503);
            var grain = fixture.Grains.GetGrain<IWebhookGrain>(WebhookIds.GrainKey(tenantId, WebhookIds.New()));
            await grain.Create(Actor.Operator, url, [WebhookEventTypes.PostPublished]);
            var address = await management.GetActivationAddress(grain);
            if (fixture.Cluster.SecondarySilos.FirstOrDefault(s => s.SiloAddress.Equals(address)) is { } silo)
            {
                chosen = (grain, url, silo);
            }
            else
            {
                await grain.Delete(Actor.Operator);
                await Task.Delay(100);
            }
        }

        Assert.NotNull(chosen);
        var (webhook, hook, victim) = chosen.Value;
        try
        {
            var delivery = await webhook.Test(Actor.Operator);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (receiver.To(hook).Count == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            // The receiver has refused it once; the silo that would retry it dies.
            await fixture.Cluster.KillSiloAsync(victim);

            deadline = DateTime.UtcNow.AddSeconds(90);
            while (receiver.To(hook).Count < 4 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            var received = receiver.To(hook);
            Assert.True(received.Count >= 4, $"{received.Count} attempts arrived");
            Assert.All(received, r => Assert.Equal(delivery.EventId, r.Headers["webhook-id"]));
        }
        finally
        {
            if (fixture.Cluster.SecondarySilos.Count == 0)
            {
                await fixture.Cluster.StartAdditionalSiloAsync();
            }
        }
    }
}
