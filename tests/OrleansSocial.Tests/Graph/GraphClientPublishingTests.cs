using OrleansSocial.Graph;

namespace OrleansSocial.Tests.Graph;

/// <summary>Publishing to Pages and Instagram against the emulator: what is published reads back.</summary>
public sealed class GraphClientPublishingTests(GraphEmulatorFixture graph) : IClassFixture<GraphEmulatorFixture>
{
    private GraphClient Client => graph.Client;

    [Fact]
    public async Task A_page_post_published_now_reads_back_first()
    {
        var token = await graph.PageTokenAsync(graph.PageId(0));
        var message = "Hello from the client " + Guid.NewGuid();

        var created = (await Client.PublishPagePostAsync(graph.PageId(0), token, message)).Value;

        await foreach (var page in Client.GetPagePostsAsync(graph.PageId(0), token, maxItems: 1))
        {
            Assert.Equal(created.Id, page.Items[0].Id);
            Assert.Equal(message, page.Items[0].Message);
        }
    }

    [Fact]
    public async Task The_same_message_twice_in_a_row_is_refused_as_a_duplicate()
    {
        var token = await graph.PageTokenAsync(graph.PageId(1));
        var message = "twice " + Guid.NewGuid();
        await Client.PublishPagePostAsync(graph.PageId(1), token, message);

        var error = await Assert.ThrowsAsync<GraphException>(() => Client.PublishPagePostAsync(graph.PageId(1), token, message));

        Assert.Equal(506, error.Code);
        Assert.Equal(GraphErrorKind.InvalidRequest, error.Kind);
    }

    [Fact]
    public async Task A_scheduled_post_is_not_among_the_published_ones_before_its_time()
    {
        var token = await graph.PageTokenAsync(graph.PageId(2));
        var at = graph.Emulator.State.Clock.Now.AddHours(2);

        var created = (await Client.PublishPagePostAsync(graph.PageId(2), token, "later " + Guid.NewGuid(), scheduledAt: at)).Value;

        var published = new List<string>();
        await foreach (var page in Client.GetPagePostsAsync(graph.PageId(2), token, since: at.AddDays(-1)))
        {
            published.AddRange(page.Items.Select(p => p.Id));
        }

        Assert.DoesNotContain(created.Id, published);
        var tooSoon = await Assert.ThrowsAsync<GraphException>(() =>
            Client.PublishPagePostAsync(graph.PageId(2), token, "too soon", scheduledAt: graph.Emulator.State.Clock.Now.AddMinutes(2)));
        Assert.Equal(100, tooSoon.Code);
    }

    [Fact]
    public async Task A_photo_creates_a_photo_and_a_post()
    {
        var token = await graph.PageTokenAsync(graph.PageId(0));
        var created = (await Client.PublishPagePhotoAsync(graph.PageId(0), token, "https://example.com/a.jpg", "photo " + Guid.NewGuid())).Value;

        Assert.False(string.IsNullOrEmpty(created.Id));
        Assert.StartsWith(graph.PageId(0) + "_", created.PostId);
    }

    [Fact]
    public async Task Instagram_container_is_created_checked_and_published_within_the_quota()
    {
        var token = await graph.PageTokenAsync(graph.PageId(1));
        var ig = graph.InstagramId(1);
        var before = (await Client.GetContentPublishingLimitAsync(ig, token)).Value;

        var container = (await Client.CreateInstagramContainerAsync(ig, token, "https://example.com/b.jpg", null, "caption " + Guid.NewGuid())).Value;
        var status = (await Client.GetContainerStatusAsync(container.Id, token)).Value;
        var media = (await Client.PublishInstagramContainerAsync(ig, token, container.Id)).Value;
        var after = (await Client.GetContentPublishingLimitAsync(ig, token)).Value;
        var again = await Assert.ThrowsAsync<GraphException>(() => Client.PublishInstagramContainerAsync(ig, token, container.Id));

        Assert.Equal("FINISHED", status.StatusCode);
        Assert.Equal(before.QuotaUsage + 1, after.QuotaUsage);
        Assert.Equal(50, after.Config!.QuotaTotal);
        Assert.Equal(GraphErrorKind.InvalidRequest, again.Kind);
        await foreach (var page in Client.GetInstagramMediaAsync(ig, token, maxItems: 1))
        {
            Assert.Equal(media.Id, page.Items[0].Id);
        }
    }

    [Fact]
    public async Task A_video_container_in_progress_cannot_be_published_yet()
    {
        var token = await graph.PageTokenAsync(graph.PageId(2));
        var ig = graph.InstagramId(2);
        var container = (await Client.CreateInstagramContainerAsync(ig, token, null, "https://example.com/v.mp4", "reel")).Value;

        var error = await Assert.ThrowsAsync<GraphException>(() => Client.PublishInstagramContainerAsync(ig, token, container.Id));

        Assert.Equal((9007, 2207027), (error.Code!.Value, error.Subcode!.Value));
        Assert.Equal("IN_PROGRESS", (await Client.GetContainerStatusAsync(container.Id, token)).Value.StatusCode);
    }
}
