using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using OrleansSocial.GraphEmulator;
using OrleansSocial.GraphEmulator.Graph;
using OrleansSocial.GraphEmulator.World;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Cluster;

/// <summary>
/// Publishing when processes die: silo processes of the host sharing a throwaway PostgreSQL, one
/// emulator as their Graph backend. Killed between the publish call and its record, or all down
/// across a due time, a post still lands exactly once.
/// </summary>
public sealed partial class PublishingCrashTests : IAsyncLifetime
{
    private const string OperatorKey = "publishing-crash-operator-key-0123456789abcdef";
    private const string Page = "fb-100000000000000";
    private const string PageId = "100000000000000";
    private ClusterEnvironment _cluster = null!;

    private RunningEmulator Emulator => _cluster.Emulator;

    private List<SiloProcess> Silos => _cluster.Silos;

    public async Task InitializeAsync() => _cluster = await ClusterEnvironment.StartAsync("orleans-social-publishing", o =>
    {
        o.Users = 1;
        o.PagesPerUser = 1;
    });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private SiloProcess StartSilo(int index) => _cluster.StartSilo(index, _cluster.Settings(OperatorKey, "publishing", new Dictionary<string, string>
    {
        ["Publishing:ReminderPeriod"] = "00:00:01",
        ["Publishing:RetryBaseDelay"] = "00:00:00.200",
        ["Sync:InitialSyncWindow"] = "1.00:00:00",
    }), logLevels: true);

    private async Task<(string Id, string Key)> TenantWithPageAsync(SiloProcess silo)
    {
        var tenant = await ClusterApi.CreateTenantAsync(silo.Http, $"pub-{Guid.NewGuid():N}"[..16], OperatorKey);
        var connect = await ClusterApi.Send(silo.Http, HttpMethod.Post, "/api/channels/facebook", tenant, new { userAccessToken = TokenStore.DemoUserToken });
        Assert.True(connect.StatusCode == HttpStatusCode.Created, await connect.Content.ReadAsStringAsync());
        return tenant;
    }

    private List<Publication> Landed(string message) => [.. Emulator.State.Publications.Where(p => p.OwnerId == PageId && p.Message == message)];

    private async Task<JsonElement> PublishedAsync(SiloProcess silo, (string Id, string Key) tenant, string postId)
    {
        JsonElement publication = default;
        await Eventually.UntilAsync(async () =>
        {
            var response = await ClusterApi.Send(silo.Http, HttpMethod.Get, $"/api/posts/{postId}", tenant);
            if (!response.IsSuccessStatusCode)
            {
                return false;
            }

            publication = (await ClusterApi.ReadJsonAsync(response)).GetProperty("publications")[0];
            return publication.GetProperty("status").GetString() is "published" or "failed" or "cancelled";
        }, TimeSpan.FromSeconds(90), () => _cluster.Tails());
        return publication;
    }

    [Fact]
    public async Task A_silo_killed_between_the_publish_call_and_its_record_leaves_exactly_one_post()
    {
        var silos = new[] { StartSilo(0), StartSilo(1) };
        await Task.WhenAll(silos.Select(s => s.WaitReadyAsync(TimeSpan.FromSeconds(90))));
        var tenant = await TenantWithPageAsync(silos[0]);
        var text = $"Killed mid-publish {Guid.NewGuid():N}";
        // Graph posts, then holds the answer: the silo that called is killed while it waits.
        Emulator.State.Faults.Add(new Fault { Method = "POST", PathPrefix = $"{PageId}/feed", DropAfterProcessing = true, LatencyMs = 30_000, Remaining = 1 });

        var created = await ClusterApi.ReadJsonAsync(await ClusterApi.Send(silos[0].Http, HttpMethod.Post, "/api/posts", tenant, new { channelIds = new[] { Page }, text }));
        var postId = created.GetProperty("postId").GetString()!;
        await ClusterApi.ReadJsonAsync(await ClusterApi.Send(silos[0].Http, HttpMethod.Post, $"/api/posts/{postId}/publish-now", tenant));
        await Eventually.UntilAsync(() => Task.FromResult(Landed(text).Count == 1), TimeSpan.FromSeconds(30));
        var publishing = $"Post {postId} of tenant {tenant.Id} publishing to";
        await Eventually.UntilAsync(() => Task.FromResult(silos.Any(s => s.Output.Contains(publishing, StringComparison.Ordinal))), TimeSpan.FromSeconds(10));
        var publisher = silos.Single(s => s.Output.Contains(publishing, StringComparison.Ordinal));
        publisher.Kill();
        var survivor = silos.Single(s => s != publisher);

        var publication = await PublishedAsync(survivor, tenant, postId);

        Assert.Equal("published", publication.GetProperty("status").GetString());
        var landed = Assert.Single(Landed(text));
        Assert.Equal(landed.ObjectId, publication.GetProperty("platformPostId").GetString());
        Assert.True(await survivor.WaitForOutputAsync($"Post {postId} of tenant {tenant.Id} published to {Page} as {landed.ObjectId} (adopted: True)", TimeSpan.FromSeconds(10)), survivor.Output);
    }

    [Fact]
    public async Task A_post_due_while_the_whole_cluster_was_down_is_published_once_when_it_comes_back()
    {
        var first = StartSilo(0);
        await first.WaitReadyAsync(TimeSpan.FromSeconds(90));
        var tenant = await TenantWithPageAsync(first);
        var text = $"Due during downtime {Guid.NewGuid():N}";
        var due = DateTimeOffset.UtcNow.AddSeconds(3);
        var created = await ClusterApi.ReadJsonAsync(await ClusterApi.Send(first.Http, HttpMethod.Post, "/api/posts", tenant, new { channelIds = new[] { Page }, text, scheduledAt = due }));
        var postId = created.GetProperty("postId").GetString()!;

        first.Kill();
        await Eventually.UntilAsync(() => Task.FromResult(DateTimeOffset.UtcNow > due.AddSeconds(2)), TimeSpan.FromSeconds(30));
        Assert.Empty(Landed(text));
        var second = StartSilo(1);
        await second.WaitReadyAsync(TimeSpan.FromSeconds(90));

        var publication = await PublishedAsync(second, tenant, postId);

        Assert.Equal("published", publication.GetProperty("status").GetString());
        Assert.True(publication.GetProperty("publishedAt").GetDateTimeOffset() > due.AddSeconds(2), "published while the cluster was down?");
        Assert.Single(Landed(text));
    }

    [Fact]
    public async Task A_silo_killed_at_the_due_time_leaves_every_post_published_once_and_no_error_line_on_the_survivor()
    {
        var silos = new[] { StartSilo(0), StartSilo(1) };
        await Task.WhenAll(silos.Select(s => s.WaitReadyAsync(TimeSpan.FromSeconds(90))));
        var tenants = new List<(string Id, string Key)>();
        for (var i = 0; i < 4; i++)
        {
            tenants.Add(await TenantWithPageAsync(silos[i % 2]));
        }

        // Forty posts due in the same second, their grains spread over both silos.
        var due = DateTimeOffset.UtcNow.AddSeconds(8);
        var posts = new List<((string Id, string Key) Tenant, string PostId, string Text)>();
        foreach (var tenant in tenants)
        {
            for (var i = 0; i < 10; i++)
            {
                var text = $"Due together {i} {Guid.NewGuid():N}";
                var created = await ClusterApi.ReadJsonAsync(await ClusterApi.Send(silos[i % 2].Http, HttpMethod.Post, "/api/posts", tenant, new { channelIds = new[] { Page }, text, scheduledAt = due }));
                posts.Add((tenant, created.GetProperty("postId").GetString()!, text));
            }
        }

        Assert.True(DateTimeOffset.UtcNow < due, "the setup took longer than the lead time");
        await Eventually.UntilAsync(() => Task.FromResult(DateTimeOffset.UtcNow >= due), TimeSpan.FromSeconds(30));
        silos[1].Kill();
        var survivor = silos[0];

        foreach (var (tenant, postId, text) in posts)
        {
            Assert.Equal("published", (await PublishedAsync(survivor, tenant, postId)).GetProperty("status").GetString());
            var landed = Landed(text);
            Assert.True(landed.Count == 1, $"{landed.Count} posts landed for {postId}:\n" + string.Join("\n", survivor.Output.Split('\n').Where(l => l.Contains(postId, StringComparison.Ordinal))));
        }

        // Recovered work (a delivery interrupted by the death, its reminder bringing it back, a reminder
        // tick sent to the dead silo before its death was declared) is not an error: fail/crit mean a
        // person must look.
        var errors = ErrorLine().Matches(survivor.Output).Select(m => m.Value).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors.Take(10)) + "\n----\n" + survivor.Output[Math.Max(0, survivor.Output.Length - 4000)..]);
    }

    [GeneratedRegex(@"^\s*(fail|crit): .*\n.*\n.*$", RegexOptions.Multiline)]
    private static partial Regex ErrorLine();
}
