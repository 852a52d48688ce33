using System.Net;
using OrleansSocial.GraphEmulator.Graph;
using OrleansSocial.GraphEmulator.World;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Cluster;

/// <summary>
/// When a silo dies, Orleans also deactivates the activations on other silos whose grain directory
/// entries it held. A post taken away so mid-delivery comes back at once, not at its reminder's next
/// tick: here reminders tick every 10 minutes, so only a post that comes back by itself publishes
/// within the test.
/// </summary>
public sealed class DirectoryLossPublishingTests : IAsyncLifetime
{
    private const string OperatorKey = "directory-loss-operator-key-0123456789abcdef";
    // Fewer failures per Page than open Graph's circuit breaker for it (8); enough posts that some of
    // the survivor's (at least 21) have their directory entries on the killed silo (each about one in two).
    private const int Pages = 6;
    private const int PostsPerPage = 7;
    private ClusterEnvironment _cluster = null!;

    public async Task InitializeAsync() => _cluster = await ClusterEnvironment.StartAsync("orleans-social-directory-loss", o =>
    {
        o.Users = 1;
        o.PagesPerUser = Pages;
    });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private SiloProcess StartSilo(int index, string clusterId) => _cluster.StartSilo(index, _cluster.Settings(OperatorKey, clusterId, new Dictionary<string, string>
    {
        ["Publishing:ReminderPeriod"] = "00:10:00",
        // A backoff (96-144 s) far longer than the test waits: a post that lands went on by itself.
        ["Publishing:RetryBaseDelay"] = "00:02:00",
        ["Publishing:WriteSettle"] = "00:00:05",
        // Without the catch-up of missed reminder ticks, which would also wake these posts if their last tick was recent.
        ["Reminders:CatchUpWindow"] = "00:00:00",
        ["Publishing:PassingRetryDelay"] = "00:00:00.500",
        ["Sync:InitialSyncWindow"] = "1.00:00:00",
    }), logLevels: true);

    private static string PageId(int page) => (EmulatorWorld.PageBase + page).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private int Landed(string text) => _cluster.Emulator.State.Publications.Count(p => p.Message == text);

    [Fact]
    public async Task Posts_whose_directory_entries_die_with_another_silo_mid_delivery_publish_without_waiting_for_their_reminder()
    {
        // Orleans does not always take any away: in one loaded full run of the suite none of the survivor's 29 posts was
        // (not explained; perhaps its catalog and its directory react to the death in either order). Then the scenario
        // has not happened, and it runs again on a fresh pair of silos in a cluster of their own.
        var runs = new List<string>();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (await TakenAwayPostsPublishAsync(attempt) is { } missed)
            {
                runs.Add(missed);
                continue;
            }

            return;
        }

        Assert.Fail($"No post was taken away by the cluster in {runs.Count} runs:\n{string.Join("\n", runs)}\n{_cluster.Tails()}");
    }

    /// <summary>Null when posts were taken away and all landed in time; what happened when none was taken away.</summary>
    private async Task<string?> TakenAwayPostsPublishAsync(int attempt)
    {
        var clusterId = $"directory-loss-{attempt}";
        var silos = new[] { StartSilo(2 * attempt, clusterId), StartSilo((2 * attempt) + 1, clusterId) };
        await Task.WhenAll(silos.Select(s => s.WaitReadyAsync(TimeSpan.FromSeconds(90))));
        var front = silos[0];
        var tenant = await ClusterApi.CreateTenantAsync(front.Http, $"dl-{Guid.NewGuid():N}"[..16], OperatorKey);
        var connect = await ClusterApi.Send(front.Http, HttpMethod.Post, "/api/channels/facebook", tenant, new { userAccessToken = TokenStore.DemoUserToken });
        Assert.True(connect.StatusCode == HttpStatusCode.Created, await connect.Content.ReadAsStringAsync());
        var posts = new List<(string PostId, string Text)>();
        for (var i = 0; i < Pages * PostsPerPage; i++)
        {
            var text = $"Directory lost {i} {Guid.NewGuid():N}";
            var created = await ClusterApi.ReadJsonAsync(await ClusterApi.Send(front.Http, HttpMethod.Post, "/api/posts", tenant, new { channelIds = new[] { $"fb-{PageId(i % Pages)}" }, text }));
            posts.Add((created.GetProperty("postId").GetString()!, text));
        }

        // Every first write answers 502 (outcome unknown), so each delivery waits out a 2-min backoff while a silo dies.
        var faults = Enumerable.Range(0, Pages).Select(page => new Fault { Method = "POST", PathPrefix = $"{PageId(page)}/feed", HttpStatus = 502, Remaining = PostsPerPage }).ToList();
        faults.ForEach(_cluster.Emulator.State.Faults.Add);
        await Task.WhenAll(posts.Select(async p => await ClusterApi.ReadJsonAsync(await ClusterApi.Send(front.Http, HttpMethod.Post, $"/api/posts/{p.PostId}/publish-now", tenant))));
        await Eventually.UntilAsync(() => Task.FromResult(faults.All(f => f.Remaining == 0)), TimeSpan.FromSeconds(30),
            () => $"faults left: {string.Join(", ", faults.Select(f => f.Remaining))}\n{_cluster.Tails()}");
        // Placement decides where the posts live (all on one silo, sometimes): the silo delivering more of them survives.
        int Delivering(SiloProcess silo) => posts.Count(p => silo.Output.Contains($"Post {p.PostId} of tenant {tenant.Id} publishing to", StringComparison.Ordinal));
        var (survivor, victim) = Delivering(silos[0]) >= Delivering(silos[1]) ? (silos[0], silos[1]) : (silos[1], silos[0]);
        victim.Kill();

        // The survivor's posts whose directory entries the killed silo held: the cluster takes them away once the death is declared.
        List<(string PostId, string Text)> Woken() =>
            [.. posts.Where(p => survivor.Output.Contains($"Post {p.PostId} of tenant {tenant.Id} was taken away by the cluster (DirectoryFailure)", StringComparison.Ordinal))];
        if (!await Eventually.WithinAsync(() => Task.FromResult(Woken().Count > 0), TimeSpan.FromSeconds(30)))
        {
            survivor.Kill();
            return $"run {attempt}: delivering on the survivor {Delivering(survivor)}, on the killed silo {Delivering(victim)}, none taken away";
        }

        var woken = Woken();
        // Only the emulator is watched until they have landed: reading a post through the API would activate it.
        // Their reminders tick every 10 minutes, so 90 s still tells a post that came back by itself (on a loaded
        // machine, in a parallel run of the suite, 60 s was once too short).
        await Eventually.UntilAsync(() => Task.FromResult(woken.All(p => Landed(p.Text) > 0)), TimeSpan.FromSeconds(90),
            () => $"not landed: {string.Join(", ", woken.Where(p => Landed(p.Text) == 0).Select(p => p.PostId))}\n{_cluster.Tails()}");
        foreach (var (postId, text) in woken)
        {
            var post = await ClusterApi.ReadJsonAsync(await ClusterApi.Send(survivor.Http, HttpMethod.Get, $"/api/posts/{postId}", tenant));
            Assert.Equal("published", post.GetProperty("publications")[0].GetProperty("status").GetString());
            Assert.Equal(1, Landed(text));
        }

        return null;
    }
}
