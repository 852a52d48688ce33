using OrleansSocial.GraphEmulator;
using OrleansSocial.GraphEmulator.Graph;
using OrleansSocial.GraphEmulator.World;

namespace OrleansSocial.Tests.Graph;

/// <summary>
/// The emulator's world derives from its seed: the same seed gives the same Pages, posts, texts,
/// counts and comments in every process (values pinned here, so a per-process hash fails the test),
/// times relative to the emulator's start; and what is published through it never takes an id that
/// belongs to a generated object or to one published before a restart.
/// </summary>
public sealed class EmulatorWorldStabilityTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    private static EmulatorWorld World(DateTimeOffset start) => new(new EmulatorOptions(), start, start);

    [Fact]
    public void The_same_seed_gives_the_same_world_after_a_restart_and_on_any_machine()
    {
        var before = World(Start);
        var after = World(Start.AddHours(5));
        var page = before.PageAt(0);
        Assert.Equal(page, after.PageAt(0));
        var posts = before.PostsOf(page, Start).Select(p => (p.Id, p.Message, p.Shares, p.BaseReactions)).ToList();
        Assert.Equal(posts, after.PostsOf(after.PageAt(0), Start.AddHours(5)).Select(p => (p.Id, p.Message, p.Shares, p.BaseReactions)));
        Assert.Equal(before.CommentsOf(posts[0].Id).Select(c => (c.Id, c.Message)), after.CommentsOf(posts[0].Id).Select(c => (c.Id, c.Message)));

        // Pinned: these are what seed 42 makes, in any process.
        Assert.Equal(PinnedFans, page.FanCount);
        Assert.Equal(PinnedFirstMessage, posts[0].Message);
        Assert.Equal(PinnedInsight, InsightMetrics.DayValue(42, page.Id, "page_follows", InsightMetrics.EndOfPacificDay(Start)));
    }

    [Fact]
    public void Published_objects_take_ids_no_generated_object_and_no_earlier_run_has()
    {
        var first = World(Start);
        var page = first.PageAt(0);
        var account = first.AccountAt(0);
        var generated = first.PostsOf(page, Start).Select(p => p.Id).ToHashSet();
        var generatedMedia = first.MediaOf(account).Select(m => m.Id).ToHashSet();
        var published = Enumerable.Range(0, 50).Select(i => first.AddPost(page, $"post {i}", Start, true, null).Id).ToList();
        var publishedMedia = Enumerable.Range(0, 50).Select(i => first.AddMedia(account, $"media {i}", "IMAGE", Start).Id).ToList();
        Assert.Empty(published.Intersect(generated));
        Assert.Empty(publishedMedia.Intersect(generatedMedia));
        Assert.Equal(50, published.Distinct().Count());
        Assert.All(publishedMedia, id => Assert.Equal(id, first.FindMedia(id)!.Id));
        Assert.All(published, id => Assert.Equal(id, first.FindPost(id)!.Id));

        // The same emulator started again a minute later: nothing it publishes has an id the first one gave out.
        var second = World(Start.AddMinutes(1));
        var again = Enumerable.Range(0, 5).Select(i => second.AddPost(second.PageAt(0), $"again {i}", Start.AddMinutes(1), true, null).Id).ToList();
        var againMedia = Enumerable.Range(0, 5).Select(i => second.AddMedia(second.AccountAt(0), $"again {i}", "IMAGE", Start.AddMinutes(1)).Id).ToList();
        Assert.Empty(again.Intersect(published));
        Assert.Empty(againMedia.Intersect(publishedMedia));
        Assert.NotEqual(first.NextContainerId(), second.NextContainerId());
    }

    private const int PinnedFans = 5478;
    private const string PinnedFirstMessage = "fresh open weekend menu thanks croissants menu!";
    private const long PinnedInsight = 31;
}
