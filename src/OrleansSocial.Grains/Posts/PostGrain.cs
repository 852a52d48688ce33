using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansSocial.Grains.Operations;
using OrleansSocial.Grains.Posts.Publishing;
using OrleansSocial.Grains.Records;
using OrleansSocial.Grains.Webhooks;
using OrleansSocial.Graph;
using OrleansSocial.Posts;
using OrleansSocial.ReadModels;
using OrleansSocial.ReadModels.Operations;
using OrleansSocial.ReadModels.Posts;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Naming;
using OrleansSocial.Tenancy;
using OrleansSocial.Webhooks;

namespace OrleansSocial.Grains.Posts;

/// <summary>
/// A post: its record in the tenant's <c>planned_posts</c>, loaded at activation and written
/// through on every change, and the approval flow. Settings (approval, four eyes) and the plan's
/// monthly limit come from the tenant grain at the moment they matter. Every transition is audited.
/// Delivery works beside request turns (see <c>PostGrain.Delivery</c>), so every change goes through
/// one writer, and a request that decided on a version of the post the delivery has since changed is refused.
/// </summary>
public sealed partial class PostGrain(IDocumentStore store, GraphClient graph, PublishingSlots slots, IOptions<PublishingOptions> options, TimeProvider time, OperatorBoard board, OperatorFigures figures, PostWakeups wakeups, ILogger<PostGrain> logger) : Grain, IPostGrain
{
    private static readonly PublicationStatus[] Editable = [PublicationStatus.Draft, PublicationStatus.PendingApproval, PublicationStatus.Scheduled];

    // The one writer of the post's record, with the events its changes announce (kept beside it until handed over).
    private TenantRecord<PostRecord>? _record;

    private const string RelayReminder = "relay";

    private bool _relayReminder;

    // Activated with due work, the post's derived rows were not checked against its record (a crash
    // between the record's write and theirs): delivery's first write rewrites its calendar rows, and a
    // publication that settles takes its board row away; what delivery leaves undone is checked when it stops.
    private bool _calendarUnchecked;
    private bool _boardUnchecked;

    private PublishingOptions Options => options.Value;

    private (string TenantId, string PostId) Key => TenantScope.Of(this.GetPrimaryKeyString());

    private IDocumentDatabase Database => TenantScope.Of(this.GetPrimaryKeyString()).Database(store);

    private IDocumentCollection ChannelRows => Database.GetCollection(Collections.PostChannels);

    private TenantRecord<PostRecord> Record => _record ??= new(Database.GetCollection(Collections.PlannedPosts), Key.PostId, PostRecord.Read, PostRecord.Write);

    private PostView? Post => Record.Current?.Post;

    private ITenantGrain Tenant => GrainFactory.GetGrain<ITenantGrain>(Key.TenantId);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        System.Text.Json.JsonElement? stored;
        try
        {
            stored = await Record.LoadStoredAsync(cancellationToken);
        }
        catch (DatabaseNotFoundException)
        {
            // The tenant was deleted: the post reads as missing and its reminder, if it fires, is removed.
            return;
        }

        if (stored is { } found)
        {
            if (Post is null)
            {
                LogDamaged(logger, Key.TenantId, Key.PostId);
            }
            else
            {
                if (!PostCalendar.IsStamped(found))
                {
                    await Record.RewriteAsync();
                }

                // The rows are checked against the record now, or, with due work, by the delivery this starts: it
                // writes them in a moment anyway (a survivor re-activates thousands of posts at once after a death).
                (_calendarUnchecked, _boardUnchecked) = (true, true);
                if (HasDueWork())
                {
                    // Due work means its reminder exists (registered before every write that gives the post work) and ticks.
                    _reminderTicked = true;
                }
                else
                {
                    await KeepUncheckedRowsAsync();
                }
            }

            // Events a crash kept from their endpoints (a damaged post's too): relaying again is harmless (deliveries are written once).
            await RelayAsync();
            if (HasDueWork())
            {
                // An earlier activation went mid-delivery: go on now rather than at the reminder's next tick.
                StartDelivery();
            }
        }
    }

    /// <summary>
    /// Decides before it writes: a post with a time is admitted against the plan (or put up for
    /// approval) first, so a refused request leaves no draft behind.
    /// </summary>
    public async Task<PostView> Create(Actor actor, PostContent content, IReadOnlyList<PostTarget> targets)
    {
        if (Post is not null)
        {
            return Post;
        }

        var now = time.GetUtcNow();
        var status = PublicationStatus.Draft;
        if (content.ScheduledAt is { } at)
        {
            PostRules.ValidateSchedule(at, now);
            if ((await StandingAsync()).RequireApproval)
            {
                status = PublicationStatus.PendingApproval;
            }
            else
            {
                await Tenant.AdmitScheduledPost(actor, Key.PostId, at);
                status = PublicationStatus.Scheduled;
            }
        }

        if (status == PublicationStatus.Draft)
        {
            await Tenant.AdmitDraft(actor, Key.PostId);
        }

        var post = new PostView(Key.PostId, actor.ToString(), status, content, Publications(targets, status, content), null, null, now, now, [actor.ToString()]);
        await SaveAsync(null, post, status == PublicationStatus.PendingApproval ? [Event(WebhookEventTypes.PostApprovalRequested, new PostApprovalRequestedData(Key.PostId, actor.ToString()))] : []);
        await Tenant.RecordAudit(actor, "post.created", Key.PostId, "success", Name(status));
        if (status == PublicationStatus.PendingApproval)
        {
            await Tenant.RecordAudit(actor, "post.approval_requested", Key.PostId, "success", null);
        }

        LogCreated(logger, Key.TenantId, Key.PostId, targets.Count);
        return Post!;
    }

    public Task<PostView?> Get()
    {
        if (Post is null)
        {
            DeactivateOnIdle();
        }

        return Task.FromResult(Post);
    }

    public async Task<PostView> Edit(Actor actor, PostContent content, IReadOnlyList<PostTarget> targets, string? ifMatch = null)
    {
        var post = Require(ifMatch);
        RequireStatus(post, "edited", Editable);
        var standing = await StandingAsync();
        // An approved post that changes needs approval again; without approval it stays scheduled.
        var status = post.Status == PublicationStatus.Scheduled && standing.RequireApproval ? PublicationStatus.PendingApproval : post.Status;
        if (status == PublicationStatus.Scheduled)
        {
            await Tenant.AdmitScheduledPost(actor, Key.PostId, content.ScheduledAt ?? throw MissingSchedule(), post.Status == PublicationStatus.Scheduled ? post.Content.ScheduledAt : null);
        }

        var edited = post with
        {
            Content = content,
            Status = status,
            Publications = Publications(targets, status, content),
            ApprovedBy = status == PublicationStatus.Scheduled ? post.ApprovedBy : null,
            Contributors = post.ContributorsThisRound.Contains(actor.ToString()) ? post.ContributorsThisRound : [.. post.ContributorsThisRound, actor.ToString()],
            UpdatedAt = time.GetUtcNow(),
        };
        await SaveAsync(post, edited, status == PublicationStatus.PendingApproval && post.Status != PublicationStatus.PendingApproval
            ? [Event(WebhookEventTypes.PostApprovalRequested, new PostApprovalRequestedData(Key.PostId, post.AuthorId))]
            : []);
        await Tenant.RecordAudit(actor, "post.edited", Key.PostId, "success", post.Status == status ? null : $"{Name(post.Status)} → {Name(status)}");
        return Post!;
    }

    public async Task<PostView> Cancel(Actor actor, string? ifMatch = null)
    {
        var post = Require(ifMatch);
        RequireStatus(post, "cancelled", [.. Editable, PublicationStatus.Failed]);
        return await MoveAsync(actor, post, post, PublicationStatus.Cancelled, "post.cancelled");
    }

    public async Task<PostView> Submit(Actor actor, string? ifMatch = null)
    {
        var post = Require(ifMatch);
        RequireStatus(post, "submitted", PublicationStatus.Draft);
        var at = post.Content.ScheduledAt ?? throw MissingSchedule();
        PostRules.ValidateSchedule(at, time.GetUtcNow());
        var standing = await StandingAsync();
        if (standing.RequireApproval)
        {
            return await MoveAsync(actor, post, post with { RejectionReason = null }, PublicationStatus.PendingApproval, "post.approval_requested",
                events: [Event(WebhookEventTypes.PostApprovalRequested, new PostApprovalRequestedData(Key.PostId, post.AuthorId))]);
        }

        await Tenant.AdmitScheduledPost(actor, Key.PostId, at);
        return await MoveAsync(actor, post, post with { RejectionReason = null }, PublicationStatus.Scheduled, "post.scheduled");
    }

    public async Task<PostView> Approve(Actor actor, string? ifMatch = null)
    {
        var post = Require(ifMatch);
        RequireStatus(post, "approved", PublicationStatus.PendingApproval);
        var standing = await StandingAsync();
        if (standing.FourEyes && actor.ToString() == post.AuthorId)
        {
            await Tenant.RecordAudit(actor, "post.approved", Key.PostId, "denied", "four eyes: the author cannot approve their own post");
            throw new DomainException(ProblemKind.Forbidden, "This tenant requires four eyes: the author cannot approve their own post.");
        }

        if (standing.FourEyes && post.ContributorsThisRound.Contains(actor.ToString()))
        {
            await Tenant.RecordAudit(actor, "post.approved", Key.PostId, "denied", "four eyes: the approver changed the content since the last approval");
            throw new DomainException(ProblemKind.Forbidden, "This tenant requires four eyes: you changed this post's content since it was last approved, so somebody else approves it.");
        }

        await Tenant.AdmitScheduledPost(actor, Key.PostId, post.Content.ScheduledAt ?? throw MissingSchedule());
        // The round ends: whoever changes the content from now on starts the next one.
        return await MoveAsync(actor, post, post with { ApprovedBy = actor.ToString(), Contributors = [] }, PublicationStatus.Scheduled, "post.approved",
            events: [Event(WebhookEventTypes.PostApproved, new PostApprovedData(Key.PostId, actor.ToString(), post.Content.ScheduledAt))]);
    }

    public async Task<PostView> Reject(Actor actor, string reason, string? ifMatch = null)
    {
        var post = Require(ifMatch);
        RequireStatus(post, "rejected", PublicationStatus.PendingApproval);
        var why = string.IsNullOrWhiteSpace(reason) || reason.Length > 500
            ? throw DomainException.Invalid("reason", "A reason of 1-500 characters is required.")
            : reason.Trim();
        return await MoveAsync(actor, post, post with { RejectionReason = why, ApprovedBy = null }, PublicationStatus.Draft, "post.rejected", why,
            [Event(WebhookEventTypes.PostRejected, new PostRejectedData(Key.PostId, actor.ToString(), why))]);
    }

    private async Task<PostView> MoveAsync(Actor actor, PostView read, PostView post, PublicationStatus status, string action, string? detail = null, IReadOnlyList<WebhookEvent>? events = null)
    {
        var moved = post with
        {
            Status = status,
            Publications = [.. post.Publications.Select(p => p.Status is PublicationStatus.Published ? p : p with { Status = status })],
            UpdatedAt = time.GetUtcNow(),
        };
        await SaveAsync(read, moved, events ?? []);
        await Tenant.RecordAudit(actor, action, Key.PostId, "success", detail);
        return Post!;
    }

    private async Task<TenantStanding> StandingAsync() =>
        await Tenant.Standing() ?? throw DomainException.NotFound("tenant", "The post's tenant no longer exists.");

    private PostView Require() => Post ?? throw DomainException.NotFound("post", $"Post '{Key.PostId}' does not exist.");

    /// <summary>The post, when it is still the version the request's If-Match names (412 otherwise).</summary>
    private PostView Require(string? ifMatch)
    {
        var post = Require();
        PostETag.Require(post, ifMatch);
        return post;
    }

    private static void RequireStatus(PostView post, string what, params PublicationStatus[] allowed)
    {
        if (!allowed.Contains(post.Status))
        {
            throw new DomainException(ProblemKind.Conflict, $"A post that is {Name(post.Status)} cannot be {what}.");
        }
    }

    private static DomainException MissingSchedule() => DomainException.Invalid("scheduledAt", "Set scheduledAt before submitting the post.");

    private static IReadOnlyList<PublicationView> Publications(IReadOnlyList<PostTarget> targets, PublicationStatus status, PostContent content) =>
        [.. targets.Select(t => new PublicationView(t.ChannelId, t.Platform, status, DueAt: content.ScheduledAt))];

    private static string Name(PublicationStatus status) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(status.ToString());

    /// <summary>
    /// A request's change, decided on <paramref name="read"/>: refused when the post has changed since
    /// (delivery started meanwhile).
    /// </summary>
    private Task<PostView> SaveAsync(PostView? read, PostView next, IReadOnlyList<WebhookEvent> events) =>
        UpdateAsync(current => ReferenceEquals(current, read)
            ? next
            : throw new DomainException(ProblemKind.Conflict, "The post changed while this request was being decided (publishing may have started); read it again."), events);

    /// <summary>
    /// The one writer of the post: compute from the latest, keep the delivery reminder in step with it,
    /// write (with the events the change announces, in the same document), assign; then hand the
    /// events to the webhook endpoints.
    /// </summary>
    private async Task<PostView> UpdateAsync(Func<PostView?, PostView> change, IReadOnlyList<WebhookEvent>? events = null)
    {
        if (events is { Count: > 0 })
        {
            events = await AnnouncedAsync(events);
        }

        var written = await Record.UpdateAsync(
            async current =>
            {
                var changed = change(current?.Post);
                var post = changed with { UpdatedAt = time.GetUtcNow(), Version = (current?.Post?.Version ?? changed.Version) + 1 };
                if (post.Publications.Any(HasWork))
                {
                    // Before the write: a crash between them leaves a reminder that finds nothing, never a post without one.
                    await SyncReminderAsync(post);
                }

                return new PostRecord(post, events is { Count: > 0 } ? [.. current?.Outbox ?? [], .. events] : current?.Outbox);
            },
            async (previous, next) =>
            {
                // Rows not checked at activation are all written now (a change of status writes them anyway).
                await WriteChannelRowsAsync(previous?.Post, next.Post!, rewriteAll: _calendarUnchecked, CancellationToken.None);
                _calendarUnchecked = false;
                await KeepBoardRowsAsync(previous?.Post, next.Post!);
                _boardUnchecked &= next.Post!.Publications.Any(Pending);
            });
        var next = written!.Post!;

        if (!next.Publications.Any(HasWork))
        {
            await SyncReminderAsync(next);
        }

        await RelayAsync();
        return next;
    }

    /// <summary>
    /// The post's calendar entries after a change: a row per channel it goes to, rewritten only where
    /// its status or time changed (or all of them: <paramref name="rewriteAll"/>), and gone for channels it no longer goes to.
    /// </summary>
    private async Task WriteChannelRowsAsync(PostView? previous, PostView next, bool rewriteAll, CancellationToken cancellationToken)
    {
        var key = PostCalendar.KeyOf(next);
        var unchanged = !rewriteAll && previous is not null && previous.Status == next.Status && PostCalendar.KeyOf(previous) == key;
        var before = previous?.Publications.Select(p => p.ChannelId).ToHashSet(StringComparer.Ordinal) ?? [];
        foreach (var channelId in next.Publications.Select(p => p.ChannelId).Distinct(StringComparer.Ordinal))
        {
            if (!unchanged || !before.Contains(channelId))
            {
                await ChannelRows.UpsertAsync(PostCalendar.RowId(next.PostId, channelId), DocumentJson.ToJson(PostCalendar.RowOf(next, channelId)), cancellationToken);
            }
        }

        foreach (var gone in before.Except(next.Publications.Select(p => p.ChannelId), StringComparer.Ordinal))
        {
            await ChannelRows.DeleteAsync(PostCalendar.RowId(next.PostId, gone), cancellationToken);
        }
    }

    /// <summary>
    /// The operator board's row for each publication waiting for its time (the overview's "due in
    /// the next hour"), and none for a publication that no longer waits. With no previous (at activation,
    /// or when a delivery that skipped that stops) every waiting one is written again: a crash between
    /// the post's write and its rows is mended.
    /// </summary>
    private async Task KeepBoardRowsAsync(PostView? previous, PostView next)
    {
        foreach (var publication in next.Publications.Where(Pending))
        {
            var was = previous?.Publications.FirstOrDefault(p => p.ChannelId == publication.ChannelId);
            // The row says only that it waits and since when: delivery starting (scheduled → publishing) writes nothing.
            if (was is null || !Pending(was) || DueIn(previous!, was) != DueIn(next, publication))
            {
                await board.KeepAsync(null, new(BoardRow.PublicationKind, Key.TenantId, $"{Key.PostId}.{publication.ChannelId}", BoardRow.PublicationWaiting, DueIn(next, publication)));
            }
        }

        foreach (var gone in previous?.Publications.Where(Pending) ?? [])
        {
            if (next.Publications.FirstOrDefault(p => p.ChannelId == gone.ChannelId) is not { } now || !Pending(now))
            {
                await board.RemoveAsync(BoardRow.PublicationKind, Key.TenantId, $"{Key.PostId}.{gone.ChannelId}");
            }
        }
    }

    private static DateTimeOffset? DueIn(PostView post, PublicationView publication) => publication.DueAt ?? post.Content.ScheduledAt;

    /// <summary>
    /// Rows a crash kept from being written (between the post's write and theirs) are written now; rows
    /// that match the record are only read.
    /// </summary>
    private async Task KeepCalendarAsync(PostView post)
    {
        foreach (var channelId in post.Publications.Select(p => p.ChannelId).Distinct(StringComparer.Ordinal))
        {
            var row = PostCalendar.RowOf(post, channelId);
            if (await ChannelRows.GetAsync(PostCalendar.RowId(post.PostId, channelId), CancellationToken.None) is not { } existing
                || DocumentJson.TryRead<PostChannelRow>(existing) != row)
            {
                await ChannelRows.UpsertAsync(PostCalendar.RowId(post.PostId, channelId), DocumentJson.ToJson(row), CancellationToken.None);
            }
        }
    }

    /// <summary>At activation, or when delivery stops: the rows not yet checked against the record that no write has written since.</summary>
    private Task KeepUncheckedRowsAsync() => !_calendarUnchecked && !_boardUnchecked
        ? Task.CompletedTask
        : Record.InStepAsync(async current =>
        {
            if (current?.Post is not { } post)
            {
                return;
            }

            if (_calendarUnchecked)
            {
                await KeepCalendarAsync(post);
                _calendarUnchecked = false;
            }

            if (_boardUnchecked)
            {
                await KeepBoardRowsAsync(null, post);
                _boardUnchecked = false;
            }
        });

    /// <summary>Activation did what was asked: the record is stamped, and its calendar rows are current or (due work) written by the delivery it started.</summary>
    public Task Touch() => Task.CompletedTask;

    public Task Resume() => Task.CompletedTask;

    /// <summary>
    /// Events worth recording: none when the tenant has no webhook endpoint (nobody to tell, and no
    /// later endpoint is sent the past), which the tenant grain answers from memory: a publication
    /// costs no read of the endpoints. Otherwise the relay reminder is registered first, so events
    /// written beside a change reach their endpoints even if this silo dies before it hands them over.
    /// </summary>
    private async Task<IReadOnlyList<WebhookEvent>> AnnouncedAsync(IReadOnlyList<WebhookEvent> events)
    {
        if (!await Tenant.MayHaveWebhookEndpoints())
        {
            return [];
        }

        if (!_relayReminder)
        {
            await this.RegisterOrUpdateReminder(RelayReminder, Options.ReminderPeriod, Options.ReminderPeriod);
            _relayReminder = true;
        }

        return events;
    }

    /// <summary>Hands the kept events to the endpoints; with none left, the relay reminder goes.</summary>
    private async Task RelayAsync()
    {
        // A failure keeps them in the record, written with the next change: the next relay (or activation, or tick) hands them over.
        await Record.TryRelayAsync(GrainFactory, Database, time.GetUtcNow(), (exception, count) => LogRelayFailed(logger, exception, Key.TenantId, Key.PostId, count));
        if (Record.Pending == 0 && _relayReminder)
        {
            if (await this.GetReminder(RelayReminder) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }

            _relayReminder = false;
        }
    }

    private WebhookEvent Event(string type, object data) => WebhookEvent.Create(type, Key.TenantId, time.GetUtcNow(), data);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "Post {PostId} of tenant {TenantId}: {Count} webhook event(s) not handed over yet; they are kept and retried")]
    private static partial void LogRelayFailed(ILogger logger, Exception exception, string tenantId, string postId, int count);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Post {PostId} of tenant {TenantId} created for {Channels} channel(s)")]
    private static partial void LogCreated(ILogger logger, string tenantId, string postId, int channels);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Error, Message = "Post {PostId} of tenant {TenantId} has a damaged record; it reads as missing")]
    private static partial void LogDamaged(ILogger logger, string tenantId, string postId);
}
