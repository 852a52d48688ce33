using OrleansSocial.Channels;
using OrleansSocial.Grains.Posts.Publishing;
using OrleansSocial.GraphEmulator.Graph;
using OrleansSocial.GraphEmulator.World;
using OrleansSocial.Posts;
using OrleansSocial.ReadModels;
using OrleansSocial.Storage.Naming;
using OrleansSocial.Tenancy;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Posts;

/// <summary>
/// The approval flow and delivery through the grains of a two-silo cluster: the post, tenant,
/// channel and rate-budget grains are wherever placement put them, and the reminder fires on the
/// silo that owns its range.
/// </summary>
[Collection(SyncClusterCollection.Name)]
public sealed class PublishingClusterTests(SyncClusterFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static Task<PostView> SettledAsync(IPostGrain post) => Eventually.ValueAsync(
        async () => (await post.Get())!,
        view => view.Publications.All(p => p.Status is not (PublicationStatus.Scheduled or PublicationStatus.Publishing)),
        Patience);

    private List<Publication> Landed(string message) => [.. fixture.Emulator.State.Publications.Where(p => p.Message == message)];

    [Fact]
    public async Task Four_eyes_approval_then_delivery_at_the_due_time_lands_once_and_a_dropped_answer_is_adopted()
    {
        var (tenantId, channels) = await fixture.TenantWithChannelsAsync();
        var tenant = fixture.Grains.GetGrain<ITenantGrain>(tenantId);
        var owner = new Actor((await tenant.ListMembers(null, 10)).Items.First(m => m.Role == Roles.Owner).MemberId);
        var approver = new Actor((await tenant.AddMember(owner, new NewMember($"approver@{tenantId}.test", Roles.Admin, []))).MemberId);
        await tenant.ChangeSettings(owner, new SettingsChange(null, null, RequireApproval: true, FourEyes: true));
        var page = channels[0];
        var pageId = page["fb-".Length..];
        var text = $"Cluster launch {Guid.NewGuid():N}";
        fixture.Emulator.State.Faults.Add(new Fault { Method = "POST", PathPrefix = $"{pageId}/feed", DropAfterProcessing = true, Remaining = 1 });

        var post = fixture.Grains.GetGrain<IPostGrain>(PostIds.GrainKey(tenantId, "p" + Guid.NewGuid().ToString("N")[..16]));
        var created = await post.Create(owner, new PostContent(text, null, [], new Dictionary<string, VariantContent>(), DateTimeOffset.UtcNow.AddSeconds(5)), [new PostTarget(page, ChannelIds.Facebook)]);
        Assert.Equal(PublicationStatus.PendingApproval, created.Status);
        var own = await Assert.ThrowsAsync<DomainException>(() => post.Approve(owner));
        Assert.Equal(ProblemKind.Forbidden, own.Kind);
        Assert.Equal(PublicationStatus.Scheduled, (await post.Approve(approver)).Status);
        Assert.True(DateTimeOffset.UtcNow < created.Content.ScheduledAt, "the setup took longer than the lead time");
        Assert.Empty(Landed(text));

        var settled = await SettledAsync(post);

        var publication = Assert.Single(settled.Publications);
        Assert.Equal(PublicationStatus.Published, publication.Status);
        var landed = Assert.Single(Landed(text));
        Assert.Equal(landed.ObjectId, publication.PlatformPostId);
    }

    [Fact]
    public async Task A_write_another_activation_may_still_be_sending_is_read_back_only_once_it_has_settled()
    {
        var (tenantId, channels) = await fixture.TenantWithChannelsAsync();
        var tenant = fixture.Grains.GetGrain<ITenantGrain>(tenantId);
        var owner = new Actor((await tenant.ListMembers(null, 10)).Items.First(m => m.Role == Roles.Owner).MemberId);
        var page = channels[0];
        var pageId = page["fb-".Length..];
        var text = $"Still in flight {Guid.NewGuid():N}";
        var postId = "p" + Guid.NewGuid().ToString("N")[..16];
        var post = fixture.Grains.GetGrain<IPostGrain>(PostIds.GrainKey(tenantId, postId));
        await post.Create(owner, new PostContent(text, null, [], new Dictionary<string, VariantContent>(), null), [new PostTarget(page, ChannelIds.Facebook)]);

        // What an activation being deactivated (or on a silo not yet declared dead) leaves: its attempt
        // says a write started a moment ago, and that write lands a second later.
        var started = DateTimeOffset.UtcNow;
        await fixture.Store.GetDatabase(StorageNames.TenantDatabase(tenantId)).GetCollection(Collections.PublicationAttempts).UpsertAsync(
            PublicationAttempt.KeyOf(postId, page), DocumentJson.ToJson(new PublicationAttempt(postId, page, 0, started, WriteStartedAt: started)), CancellationToken.None);
        await post.PublishNow(owner);
        await Eventually.UntilAsync(() => Task.FromResult(DateTimeOffset.UtcNow > started.AddSeconds(1)), TimeSpan.FromSeconds(10));
        var landedElsewhere = fixture.Emulator.State.World.AddPost(fixture.Emulator.State.World.FindPage(pageId)!, text, DateTimeOffset.UtcNow, published: true, null);

        var settled = await SettledAsync(post);

        var publication = Assert.Single(settled.Publications);
        Assert.Equal(PublicationStatus.Published, publication.Status);
        Assert.Equal(landedElsewhere.Id, publication.PlatformPostId);
        Assert.Empty(Landed(text));
    }
}
