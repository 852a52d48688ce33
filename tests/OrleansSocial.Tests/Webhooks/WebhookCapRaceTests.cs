using System.Net;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Webhooks;

/// <summary>
/// The endpoint cap under the race that broke it: a registration held exactly between its admission
/// and its write (the store holds that write), while another registration arrives. Only one of them
/// may take the last place.
/// </summary>
public sealed class WebhookCapRaceTests
{
    private const string OperatorKey = "webhook-cap-race-operator-key-0123456789";

    [Fact]
    public async Task A_registration_held_before_its_write_still_holds_the_last_place()
    {
        using var data = new TempFolder("orleans-social-webhook-cap");
        PausingStore store = null!;
        await using var host = new ApiHost(data.Path, new Dictionary<string, string?> { ["Operator:ApiKey"] = OperatorKey, ["Webhooks:AllowPrivateNetworks"] = "true" },
            PausingStore.Install("webhooks", s => store = s));
        var api = new ApiClient(host.CreateHttpClient(), OperatorKey);
        var tenant = await api.CreateTenantAsync();
        Task<HttpResponseMessage> Register(int i) =>
            api.TenantAsync(HttpMethod.Post, "/api/webhooks", tenant.Id, tenant.OwnerKey, new { url = $"http://127.0.0.1:9/hook-{i}", events = new[] { "post.published" } });
        for (var i = 0; i < 19; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await Register(i)).StatusCode);
        }

        // The 20th is admitted and held just before its record is written.
        var held = store.Arm(_ => true);
        var twentieth = Register(19);
        await held.WaitAsync(TimeSpan.FromSeconds(30));

        // Meanwhile a 21st arrives: 19 records are stored, but the last place is taken.
        var problem = await ProblemAssert.IsProblemAsync(await Register(20), 403);
        Assert.Equal("webhooks", problem.GetProperty("limit").GetString());

        store.Release();
        Assert.Equal(HttpStatusCode.Created, (await twentieth).StatusCode);
        var listed = await ApiClient.JsonAsync(await api.TenantAsync(HttpMethod.Get, "/api/webhooks", tenant.Id, tenant.OwnerKey));
        Assert.Equal(20, listed.GetProperty("items").GetArrayLength());
    }
}
