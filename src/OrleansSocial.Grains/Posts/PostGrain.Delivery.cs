using Microsoft.Extensions.Logging;
using OrleansSocial.Channels;
using OrleansSocial.Grains.Channels;
using OrleansSocial.Grains.Budget;
using OrleansSocial.Grains.Concurrency;
using OrleansSocial.Grains.Posts.Publishing;
using OrleansSocial.Graph;
using OrleansSocial.Posts;
using OrleansSocial.ReadModels;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Tenancy;
using OrleansSocial.Webhooks;

namespace OrleansSocial.Grains.Posts;

/// <summary>
/// Delivery: one reminder per post with publications to deliver, due at the earliest due time and
/// ticking every <see cref="PublishingOptions.ReminderPeriod"/> after it, so a post comes back after
/// its silo dies or the cluster was down. Each tick (or publish-now, or retry) starts the delivery
/// work beside request turns; every change of the post goes through <see cref="UpdateAsync"/>.
/// A publication is published within <see cref="PublishingOptions.MaxLateness"/> of its due time
/// or fails as <c>missed</c>; its attempt is written before every Graph write (<see cref="PublicationAttempt"/>).
/// Held, not published, while its channel is paused or its tenant suspended; cancelled when its
/// channel or tenant is gone.
/// </summary>
public sealed partial class PostGrain : IRemindable
{
    private const string DeliveryReminder = "deliver";

    private Task? _delivery;

    // Cancelled when the activation goes: a delivery waiting between steps lets go at once, and the
    // reminder brings the post back wherever it activates next.
    private readonly CancellationTokenSource _leaving = new();

    // The due time the reminder was last registered for in this activation (null: not known), and
    // whether it is known to be gone: a draft's writes do not each ask the reminder table.
    private DateTimeOffset? _reminderDue;
    private bool _reminderGone;

    // The reminder as this activation registered it (removed with it, without asking the table first),
    // and whether it ticked here: a reminder that ticks exists, and ticks again every period.
    private IGrainReminder? _reminder;
    private bool _reminderTicked;

    // Writes this activation saw end, by channel (and channel/first-comment): see WritesInFlight.
    private WritesInFlight? _writes;

    private WritesInFlight Writes => _writes ??= new(time);

    private IDocumentCollection Attempts => Database.GetCollection(Collections.PublicationAttempts);

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Orleans does not wait for work beside turns: a step still in flight would overlap the next
        // activation, which would take its write for an unknown outcome and read back before it landed.
        await _leaving.CancelAsync();
        if (_delivery is { IsCompleted: false } delivery)
        {
            LogDeactivatingMidDelivery(logger, Key.TenantId, Key.PostId, reason.ReasonCode.ToString());
            await Task.WhenAny(delivery, Task.Delay(Options.DeactivationGrace, time));
        }

        // The silo holding this activation's directory entry died: the cluster takes the activation away,
        // not the post's own doing, so one that still has due work comes back at once (not at the reminder's next tick).
        if (reason.ReasonCode == DeactivationReasonCode.DirectoryFailure && HasDueWork())
        {
            LogWaking(logger, Key.TenantId, Key.PostId, reason.ReasonCode.ToString());
            wakeups.WakeSoon(Key.TenantId, Key.PostId);
        }

        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    private static bool Pending(PublicationView publication) => publication.Status is PublicationStatus.Scheduled or PublicationStatus.Publishing;

    /// <summary>Delivery has a step to take for it now: in flight, due, or its first comment still to go.</summary>
    private bool IsDue(PublicationView publication, DateTimeOffset now) =>
        publication.Status == PublicationStatus.Publishing || (publication.Status == PublicationStatus.Scheduled && DueOf(publication) <= now) || CommentPending(publication);

    private bool HasDueWork() => Post?.Publications.Any(p => IsDue(p, time.GetUtcNow())) == true;

    private DateTimeOffset DueOf(PublicationView publication) => publication.DueAt ?? Post?.Content.ScheduledAt ?? DateTimeOffset.MinValue;

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == RelayReminder)
        {
            // Activation relayed what the record held; this removes the reminder once nothing is left.
            _relayReminder = true;
            if (Record.Current is null)
            {
                // A post whose tenant is gone has nobody left to tell.
                if (await this.GetReminder(RelayReminder) is { } gone)
                {
                    await this.UnregisterReminder(gone);
                }

                _relayReminder = false;
                return;
            }

            await RelayAsync();
            return;
        }

        if (Post is null)
        {
            // Its tenant was deleted, or its record is damaged: nothing to deliver, and nothing to tick for.
            if (await this.GetReminder(reminderName) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }

            DeactivateOnIdle();
            return;
        }

        if (reminderName == DeliveryReminder)
        {
            // Ticking after this activation removed it: the removal missed (registered again elsewhere), so the table is asked next time.
            (_reminderTicked, _reminderGone, _reminder) = (true, false, _reminderGone ? null : _reminder);
            StartDelivery();
        }
    }

    public async Task<PostView> PublishNow(Actor actor)
    {
        var post = Require();
        var now = time.GetUtcNow();
        if (post.Status == PublicationStatus.Draft)
        {
            if ((await StandingAsync()).RequireApproval)
            {
                throw new DomainException(ProblemKind.Conflict, "This tenant requires approval: submit the post and have it approved first.");
            }

            await Tenant.AdmitScheduledPost(actor, Key.PostId, now);
        }
        else if (post.Status != PublicationStatus.Scheduled)
        {
            throw new DomainException(ProblemKind.Conflict, $"A post that is {Name(post.Status)} cannot be published now.");
        }
        else if (post.Content.ScheduledAt is not { } planned || planned > now)
        {
            // It publishes this month, whatever month it was planned for: counted here, refused when this month is full.
            await Tenant.AdmitScheduledPost(actor, Key.PostId, now, post.Content.ScheduledAt);
        }

        var updated = await UpdateAsync(current =>
        {
            current = current ?? throw DomainException.NotFound("post", $"Post '{Key.PostId}' does not exist.");
            RequireStatus(current, "published now", PublicationStatus.Draft, PublicationStatus.Scheduled);
            return current with
            {
                Status = PublicationStatus.Scheduled,
                Content = current.Content with { ScheduledAt = current.Content.ScheduledAt is { } at && at < now ? at : now },
                Publications = [.. current.Publications.Select(p => p.Status is PublicationStatus.Draft or PublicationStatus.Scheduled ? p with { Status = PublicationStatus.Scheduled, DueAt = now } : p)],
            };
        });
        await Tenant.RecordAudit(actor, "post.publish_now", Key.PostId, "success", null);
        StartDelivery();
        return updated;
    }

    public async Task<PostView> Retry(Actor actor, string channelId)
    {
        Require();
        var now = time.GetUtcNow();
        var updated = await UpdateAsync(current =>
        {
            current = current ?? throw DomainException.NotFound("post", $"Post '{Key.PostId}' does not exist.");
            var publication = current.Publications.FirstOrDefault(p => p.ChannelId == channelId)
                ?? throw DomainException.NotFound("publication", $"Post '{Key.PostId}' has no publication for channel '{channelId}'.");
            if (publication.Status != PublicationStatus.Failed)
            {
                throw new DomainException(ProblemKind.Conflict, $"Only a failed publication can be retried; this one is {Name(publication.Status)}.");
            }

            return WithPublication(current, channelId, p => p with { Status = PublicationStatus.Scheduled, DueAt = now, FailureReason = null, FailureDetail = null, Retryable = null });
        });

        // The attempt is kept (it may say a write's outcome is unknown, to read back first); only its tries start again.
        if (await LoadAttemptAsync(channelId) is { } attempt)
        {
            await SaveAttemptAsync(attempt with { Tries = 0, FirstTriedAt = now });
        }

        await Tenant.RecordAudit(actor, "post.publication_retried", Key.PostId, "success", channelId);
        StartDelivery();
        return updated;
    }

    private void StartDelivery()
    {
        if (Post is null || _delivery is { IsCompleted: false })
        {
            return;
        }

        _delivery = DeliverAsync();
    }

    private async Task DeliverAsync()
    {
        // The turn that started delivery (a reminder tick, a request) returns before any Graph call.
        await Task.Yield();
        try
        {
            // Every step starts from what is stored (the record, the attempt), so running the steps again
            // after a passing failure is what the reminder's next tick would do, a reminder period sooner.
            await ThroughPassingFailuresAsync(async () =>
            {
                await DeliverDueAsync();
                await KeepUncheckedRowsAsync();
            });
        }
        catch (OperationCanceledException) when (_leaving.IsCancellationRequested)
        {
            // The activation goes; the reminder brings the post back wherever it activates next.
        }
        catch (Exception exception)
        {
            LogDeliveryError(logger, exception, Key.TenantId, Key.PostId);
        }
    }

    /// <summary>Steps every publication that is due until none is, or the next is further than a reminder period away.</summary>
    private async Task DeliverDueAsync()
    {
        while (Post is { } post)
        {
            // An activation that is going takes no new step: the next one (woken, or at the reminder's tick) does.
            _leaving.Token.ThrowIfCancellationRequested();
            var due = post.Publications.Where(p => IsDue(p, time.GetUtcNow())).ToList();
            if (due.Count == 0)
            {
                if (!post.Publications.Any(HasWork))
                {
                    // Nothing left: a reminder the last write could not remove (its silo died) goes now.
                    await SyncReminderAsync();
                }

                break;
            }

            DateTimeOffset? next;
            // Waiting for a slot (thousands due at once queue here) ends when the activation goes, so its
            // deactivation does not wait out its grace for a step that has not started.
            using (await slots.TakeAsync(_leaving.Token))
            {
                next = (await Task.WhenAll(due.Select(p => DeliverOneAsync(p.ChannelId)))).Where(w => w is not null).Min();
            }

            if (next is not { } until || until - time.GetUtcNow() > Options.ReminderPeriod)
            {
                // Done, held, or waiting longer than a reminder period: the reminder comes back for it.
                break;
            }

            if (until > time.GetUtcNow())
            {
                await Task.Delay(until - time.GetUtcNow(), time, _leaving.Token);
            }
        }
    }

    /// <summary>
    /// The system's audit entry for what delivery has already written: retried through passing
    /// failures itself, since the delivery run again finds the publication settled and would not write
    /// it. At least once: a tenant grain's silo that wrote it and died before answering makes two.
    /// </summary>
    private Task AuditDeliveryAsync(string action, string outcome, string detail) =>
        ThroughPassingFailuresAsync(() => Tenant.RecordAudit(Actor.System, action, Key.PostId, outcome, detail));

    /// <summary>Delivery's work, run again through passing failures (<see cref="PublishingOptions.PassingRetryDelay"/>) until the activation goes.</summary>
    private Task ThroughPassingFailuresAsync(Func<Task> work) =>
        PassingFailure.RetryAsync(work, Options.PassingRetryDelay, Options.PassingRetries, time,
            (failure, wait) => LogDeliveryPassingFailure(logger, Key.TenantId, Key.PostId, failure, wait), _leaving.Token);

    /// <summary>One step for one channel's publication; the time to come back, or null when done or held.</summary>
    private async Task<DateTimeOffset?> DeliverOneAsync(string channelId)
    {
        var post = Post!;
        var publication = post.Publications.First(p => p.ChannelId == channelId);
        if (CommentPending(publication))
        {
            return await CommentOneAsync(channelId, publication);
        }

        var now = time.GetUtcNow();
        var channel = GrainFactory.GetGrain<IChannelGrain>(ChannelIds.GrainKey(Key.TenantId, channelId));
        var standing = await Tenant.Standing();
        var access = await channel.OpenPublishing();
        if (standing is null || !access.Exists)
        {
            await SettleAsync(channelId, publication, PublicationStatus.Cancelled, standing is null ? "tenant_deleted" : "channel_deleted", false, "The channel was removed before the post went out.");
            return null;
        }

        var attempt = await LoadAttemptAsync(channelId);
        if (publication.Status == PublicationStatus.Scheduled && attempt?.OutcomeUnknown != true && now - DueOf(publication) > Options.MaxLateness)
        {
            await SettleAsync(channelId, publication, PublicationStatus.Failed, "missed", true, $"It was due at {DueOf(publication):u} and could not go out within {Options.MaxLateness}.");
            return null;
        }

        if (standing.Status == TenantStatus.Suspended || access.Status == ChannelStatus.Paused)
        {
            LogHeld(logger, Key.TenantId, Key.PostId, channelId, standing.Status == TenantStatus.Suspended ? "the tenant is suspended" : "the channel is paused");
            return null;
        }

        if (access.Status == ChannelStatus.NeedsReauth)
        {
            await SettleAsync(channelId, publication, PublicationStatus.Failed, "needs_reauth", true, "The channel needs to be re-authorised before it can publish.");
            return null;
        }

        if (publication.Status == PublicationStatus.Scheduled)
        {
            await UpdateAsync(current => WithPublication(current, channelId, p => p.Status == PublicationStatus.Scheduled ? p with { Status = PublicationStatus.Publishing } : p));
        }

        if (attempt is { WriteStartedAt: { } started } && Writes.SettlesAt(channelId, started, Options.WriteSettle) is { } settles)
        {
            return settles;
        }

        LogPublishing(logger, Key.TenantId, Key.PostId, channelId, attempt?.Tries ?? 0, attempt?.OutcomeUnknown == true);
        var latest = attempt ?? new PublicationAttempt(Key.PostId, channelId, 0, now);
        var context = new PublishContext(graph.For(access), Gate(access), access, ContentFor(post, channelId), Options, time, async a =>
        {
            await SaveAttemptAsync(a);
            latest = a;
        });

        PublishOutcome outcome;
        try
        {
            outcome = access.Platform == ChannelIds.Facebook ? await FacebookPublishing.StepAsync(context, latest) : await InstagramPublishing.StepAsync(context, latest);
        }
        catch (BudgetDeferredException deferred) when (deferred.InnerException is GraphException graphRefusal && graphRefusal.Refusal() == PublishingRefusal.PublishingLimit)
        {
            outcome = new PublishOutcome.Failed("quota", true, "The account reached its Instagram content publishing limit.");
        }
        catch (BudgetDeferredException deferred)
        {
            // A throttle or a spent budget: wait for the bucket's regain time, never retry in a loop.
            LogDeferred(logger, Key.TenantId, Key.PostId, channelId, deferred.RetryAt);
            outcome = new PublishOutcome.Wait(deferred.RetryAt, deferred.Message);
        }
        catch (GraphException exception)
        {
            outcome = await ClassifyAsync(exception, latest, channel);
        }
        finally
        {
            if (latest.WriteStartedAt is { } sent)
            {
                Writes.Ended(channelId, sent);
            }
        }

        return await ApplyAsync(channelId, access.Platform, latest, outcome);
    }

    private async Task<PublishOutcome> ClassifyAsync(GraphException exception, PublicationAttempt attempt, IChannelGrain channel)
    {
        LogGraphError(logger, Key.TenantId, Key.PostId, attempt.ChannelId, exception.Kind, exception.Code, exception.Subcode);
        if (exception.WriteOutcomeUnknown)
        {
            // The answer was lost or Graph failed: a write in flight may have happened. The attempt
            // still says so (WriteStartedAt), and the next step reads back before writing again.
            var tries = attempt.Tries + 1;
            await SaveAttemptAsync(attempt with { Tries = tries });
            if (tries >= Options.MaxTries)
            {
                return new PublishOutcome.Failed("transient", true, $"Graph failed {tries} times: {exception.Message}");
            }

            var backoff = Options.RetryBaseDelay * Math.Pow(2, tries - 1) * (0.8 + (Random.Shared.NextDouble() * 0.4));
            return new PublishOutcome.Wait(time.GetUtcNow() + backoff, "transient Graph failure");
        }

        // Graph answered with an error: the write did not happen.
        await SaveAttemptAsync(attempt with { WriteStartedAt = null });
        switch (exception.Refusal())
        {
            case PublishingRefusal.TokenInvalid:
                await channel.TokenRejected(exception.Code, exception.Subcode);
                return new PublishOutcome.Failed("needs_reauth", true, "Graph refused the channel's token; re-authorise the channel, then retry.");
            case PublishingRefusal.PermissionMissing:
                return new PublishOutcome.Failed("permission", false, $"Graph refused: a permission is missing (code {exception.Code}).");
            case PublishingRefusal.MediaNotReady:
                return new PublishOutcome.Wait(time.GetUtcNow() + Options.ContainerPollInitial, "media not ready");
            case PublishingRefusal.Duplicate:
                return new PublishOutcome.Failed("duplicate", false, "Facebook refused the post as a duplicate of the Page's last post.");
            case PublishingRefusal.InvalidMedia:
                return new PublishOutcome.Failed("invalid_media", false, exception.Message);
            case PublishingRefusal.PublishingLimit:
                return new PublishOutcome.Failed("quota", true, "The account reached its Instagram content publishing limit.");
            default:
                return new PublishOutcome.Failed("rejected", false, $"Graph refused the publication (code {exception.Code}): {exception.Message}");
        }
    }

    private async Task<DateTimeOffset?> ApplyAsync(string channelId, string platform, PublicationAttempt attempt, PublishOutcome outcome)
    {
        var publication = Post!.Publications.First(p => p.ChannelId == channelId);
        switch (outcome)
        {
            case PublishOutcome.Published published:
                await UpdateAsync(current => WithPublication(current, channelId, p => p with
                {
                    Status = PublicationStatus.Published, PlatformPostId = published.PlatformPostId, Permalink = published.Permalink, PublishedAt = published.At,
                    FailureReason = null, FailureDetail = null, Retryable = null,
                    // Stories take no comments.
                    FirstComment = string.IsNullOrEmpty(current?.Content.FirstComment) || current.Content.Variants.GetValueOrDefault(channelId)?.Story == true
                        ? null : new FirstCommentView(FirstCommentView.Pending),
                }), [Event(WebhookEventTypes.PostPublished, new PostPublishedData(Key.PostId, channelId, platform, published.PlatformPostId, published.Permalink, published.At))]);
                await Attempts.DeleteAsync(PublicationAttempt.KeyOf(Key.PostId, channelId), CancellationToken.None);
                PublishingMetrics.Published(Key.TenantId, platform, published.Adopted, published.At - DueOf(publication));
                figures.Published(published.At - DueOf(publication));
                LogPublished(logger, Key.TenantId, Key.PostId, channelId, published.PlatformPostId, published.Adopted);
                await AuditDeliveryAsync("post.published", "success",
                    $"{channelId}: {published.PlatformPostId}{(published.Adopted ? " (adopted after an unknown outcome)" : "")}");
                // A first comment goes right after, as the next step of this delivery.
                return CommentPending(Post!.Publications.First(p => p.ChannelId == channelId)) ? time.GetUtcNow() : null;
            case PublishOutcome.Failed failed:
                await SettleAsync(channelId, publication, PublicationStatus.Failed, failed.Reason, failed.Retryable, failed.Detail);
                return null;
            case PublishOutcome.Wait wait:
                return wait.Until;
            default:
                throw new InvalidOperationException($"Unknown outcome {outcome}.");
        }
    }

    /// <summary>A publication ends failed or cancelled: recorded, audited, counted.</summary>
    private async Task SettleAsync(string channelId, PublicationView publication, PublicationStatus status, string reason, bool retryable, string detail)
    {
        await UpdateAsync(
            current => WithPublication(current, channelId, p => Pending(p) ? p with { Status = status, FailureReason = reason, Retryable = retryable, FailureDetail = detail } : p),
            status == PublicationStatus.Failed ? [Event(WebhookEventTypes.PostFailed, new PostFailedData(Key.PostId, channelId, publication.Platform, reason, retryable, detail))] : null);
        PublishingMetrics.Failed(Key.TenantId, publication.Platform, reason);
        if (status == PublicationStatus.Failed)
        {
            figures.PublicationFailed(reason);
        }

        LogNotPublished(logger, Key.TenantId, Key.PostId, channelId, status, reason);
        await AuditDeliveryAsync(status == PublicationStatus.Cancelled ? "post.publication_cancelled" : "post.publication_failed", "failure", $"{channelId}: {reason}");
    }

    /// <summary>The reminder exists while a publication is still to be delivered, due at the earliest of them.</summary>
    private async Task SyncReminderAsync(PostView? post = null)
    {
        var pending = (post ?? Post)?.Publications.Where(HasWork).ToList() ?? [];
        if (pending.Count == 0)
        {
            if (!_reminderGone)
            {
                if ((_reminder ?? await this.GetReminder(DeliveryReminder)) is { } reminder)
                {
                    await this.UnregisterReminder(reminder);
                }

                (_reminderDue, _reminderGone, _reminder, _reminderTicked) = (null, true, null, false);
            }

            return;
        }

        var due = pending.Min(DueOf);
        var wait = due - time.GetUtcNow();
        if (_reminderDue == due || (_reminderTicked && wait <= TimeSpan.Zero))
        {
            // Registered for this time already, or due and ticking here: it comes back within a period either way.
            return;
        }

        // The write-ahead record's table is made now, while the post is scheduled, rather than by its first
        // publication: posts fall due together (the top of the hour), and a table made then is DDL that every
        // connection of a shared database processes in the busiest second, after reads of it that fail.
        await Attempts.EnsureExistsAsync(CancellationToken.None);
        _reminder = await this.RegisterOrUpdateReminder(DeliveryReminder, wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1), Options.ReminderPeriod);
        (_reminderDue, _reminderGone) = (due, false);
    }

    private BudgetGate Gate(PublishingAccess access) =>
        new(GrainFactory.GetGrain<OrleansSocial.Budget.IRateBudgetGrain>(BudgetGate.BucketOf(access.Platform, access.ExternalId)), time, Key.TenantId);

    private static PublicationContent ContentFor(PostView post, string channelId)
    {
        var variant = post.Content.Variants.GetValueOrDefault(channelId);
        return new PublicationContent(variant?.Text ?? post.Content.Text, post.Content.Link, variant?.MediaUrls ?? post.Content.MediaUrls, variant?.Story == true);
    }

    private static PostView WithPublication(PostView? post, string channelId, Func<PublicationView, PublicationView> change)
    {
        ArgumentNullException.ThrowIfNull(post);
        var publications = post.Publications.Select(p => p.ChannelId == channelId ? change(p) : p).ToList();
        return post with { Publications = publications, Status = Aggregate(post.Status, publications) };
    }

    /// <summary>The post's status once delivery has begun: what all its publications share, else the one still moving.</summary>
    private static PublicationStatus Aggregate(PublicationStatus current, IReadOnlyList<PublicationView> publications)
    {
        var statuses = publications.Select(p => p.Status).Distinct().ToList();
        return statuses.Count == 1 ? statuses[0]
            : statuses.Contains(PublicationStatus.Publishing) || statuses.Contains(PublicationStatus.Scheduled) ? PublicationStatus.Publishing
            : statuses.Contains(PublicationStatus.Failed) ? PublicationStatus.Failed
            : statuses.Contains(PublicationStatus.Published) ? PublicationStatus.Published
            : current;
    }

    private async Task<PublicationAttempt?> LoadAttemptAsync(string channelId) =>
        await Attempts.GetAsync(PublicationAttempt.KeyOf(Key.PostId, channelId), CancellationToken.None) is { } stored ? DocumentJson.TryRead<PublicationAttempt>(stored) : null;

    private Task SaveAttemptAsync(PublicationAttempt attempt) =>
        Attempts.UpsertAsync(PublicationAttempt.KeyOf(attempt.PostId, attempt.ChannelId), DocumentJson.ToJson(attempt), CancellationToken.None);

    [LoggerMessage(EventId = 4016, Level = LogLevel.Information, Message = "Post {PostId} of tenant {TenantId} publishing to {ChannelId} (tries {Tries}, earlier outcome unknown: {Unknown})")]
    private static partial void LogPublishing(ILogger logger, string tenantId, string postId, string channelId, int tries, bool unknown);

    [LoggerMessage(EventId = 4017, Level = LogLevel.Information, Message = "Post {PostId} of tenant {TenantId} deactivates ({Reason}) mid-delivery: waiting for the step in flight")]
    private static partial void LogDeactivatingMidDelivery(ILogger logger, string tenantId, string postId, string reason);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Information, Message = "Post {PostId} of tenant {TenantId} published to {ChannelId} as {PlatformPostId} (adopted: {Adopted})")]
    private static partial void LogPublished(ILogger logger, string tenantId, string postId, string channelId, string? platformPostId, bool adopted);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Warning, Message = "Post {PostId} of tenant {TenantId} was not published to {ChannelId}: {Status} ({Reason})")]
    private static partial void LogNotPublished(ILogger logger, string tenantId, string postId, string channelId, PublicationStatus status, string reason);

    [LoggerMessage(EventId = 4012, Level = LogLevel.Information, Message = "Post {PostId} of tenant {TenantId} is held for {ChannelId}: {Why}")]
    private static partial void LogHeld(ILogger logger, string tenantId, string postId, string channelId, string why);

    [LoggerMessage(EventId = 4013, Level = LogLevel.Information, Message = "Post {PostId} of tenant {TenantId} waits for the rate budget of {ChannelId} until {RetryAt:u}")]
    private static partial void LogDeferred(ILogger logger, string tenantId, string postId, string channelId, DateTimeOffset retryAt);

    [LoggerMessage(EventId = 4014, Level = LogLevel.Warning, Message = "Publishing post {PostId} of tenant {TenantId} to {ChannelId}: Graph error {Kind} (code {Code}/{Subcode})")]
    private static partial void LogGraphError(ILogger logger, string tenantId, string postId, string channelId, GraphErrorKind kind, int? code, int? subcode);

    [LoggerMessage(EventId = 4021, Level = LogLevel.Information, Message = "Post {PostId} of tenant {TenantId} was taken away by the cluster ({Reason}) with publications due: waking it at once")]
    private static partial void LogWaking(ILogger logger, string tenantId, string postId, string reason);

    [LoggerMessage(EventId = 4020, Level = LogLevel.Information, Message = "Delivery of post {PostId} of tenant {TenantId} met a passing failure ({Failure}); it runs again in {Wait}")]
    private static partial void LogDeliveryPassingFailure(ILogger logger, string tenantId, string postId, string failure, TimeSpan wait);

    [LoggerMessage(EventId = 4015, Level = LogLevel.Warning, Message = "Delivery of post {PostId} of tenant {TenantId} stopped on an error; its reminder brings it back")]
    private static partial void LogDeliveryError(ILogger logger, Exception exception, string tenantId, string postId);
}
