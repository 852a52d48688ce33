using Microsoft.Extensions.Logging;
using OrleansSocial.Channels;
using OrleansSocial.Grains.Channels;
using OrleansSocial.Grains.Concurrency;
using OrleansSocial.Grains.Posts.Publishing;
using OrleansSocial.Graph;
using OrleansSocial.Graph.Models;
using OrleansSocial.Posts;

namespace OrleansSocial.Grains.Posts;

/// <summary>
/// A post's first comment (docs/graph-api.md): posted on each publication right after it is
/// published, as the Page or account, as its own step of delivery. Like the publication itself it is
/// effectively once: its attempt (<c>{postId}/{channelId}/first-comment</c>) is written before the
/// write, and after an unknown outcome the post's comments are read back before writing again. A
/// first comment that fails never fails the publication.
/// </summary>
public sealed partial class PostGrain
{
    private static bool CommentPending(PublicationView publication) =>
        publication is { Status: PublicationStatus.Published, FirstComment.Status: FirstCommentView.Pending };

    /// <summary>Work left for delivery: a publication to make, or a first comment to post on one.</summary>
    private static bool HasWork(PublicationView publication) => Pending(publication) || CommentPending(publication);

    private static string CommentAttemptKey(string channelId) => $"{channelId}/first-comment";

    /// <summary>One step of one publication's first comment; the time to come back, or null when settled.</summary>
    private async Task<DateTimeOffset?> CommentOneAsync(string channelId, PublicationView publication)
    {
        var text = Post!.Content.FirstComment;
        var access = await GrainFactory.GetGrain<IChannelGrain>(ChannelIds.GrainKey(Key.TenantId, channelId)).OpenPublishing();
        if (string.IsNullOrEmpty(text) || publication.PlatformPostId is not { } target)
        {
            return await SettleCommentAsync(channelId, new FirstCommentView(FirstCommentView.Failed, FailureReason: "The publication has no platform id to comment on."));
        }

        if (!access.Exists || access.Status != ChannelStatus.Active || access.Token is not { } token)
        {
            return await SettleCommentAsync(channelId, new FirstCommentView(FirstCommentView.Failed, FailureReason: $"The channel cannot post now ({(access.Exists ? access.Status.ToString().ToLowerInvariant() : "removed")})."));
        }

        var now = time.GetUtcNow();
        var attempt = await LoadAttemptAsync(CommentAttemptKey(channelId)) ?? new PublicationAttempt(Key.PostId, CommentAttemptKey(channelId), 0, now);
        var writeKey = CommentAttemptKey(channelId);
        if (attempt.WriteStartedAt is { } started && Writes.SettlesAt(writeKey, started, Options.WriteSettle) is { } settles)
        {
            return settles;
        }

        var instagram = access.Platform == ChannelIds.Instagram;
        var gate = Gate(access);
        var hostGraph = graph.For(access);
        try
        {
            if (attempt.WriteStartedAt is { } sent)
            {
                var since = sent - Options.ReadBackSkew;
                await foreach (var page in gate.PagesAsync(OrleansSocial.Budget.BudgetPriority.Publishing, hostGraph.GetCommentsOnAsync(target, token, instagram, maxItems: 100)))
                {
                    if (page.Items.FirstOrDefault(c => c.Body == text && c.From?.Id == access.ExternalId && (c.At is null || c.At >= since)) is { } existing)
                    {
                        LogFirstComment(logger, Key.TenantId, Key.PostId, channelId, existing.Id, true);
                        return await SettleCommentAsync(channelId, new FirstCommentView(FirstCommentView.Posted, existing.Id));
                    }
                }
            }

            attempt = attempt with { WriteStartedAt = time.GetUtcNow(), Tries = attempt.Tries + 1 };
            await SaveAttemptAsync(attempt);
            CreatedObject created;
            try
            {
                created = (await gate.CallAsync(OrleansSocial.Budget.BudgetPriority.Publishing, 1, () => hostGraph.CommentOnAsync(target, token, text), r => r.Usage)).Value;
            }
            finally
            {
                Writes.Ended(writeKey, attempt.WriteStartedAt!.Value);
            }

            LogFirstComment(logger, Key.TenantId, Key.PostId, channelId, created.Id, false);
            return await SettleCommentAsync(channelId, new FirstCommentView(FirstCommentView.Posted, created.Id));
        }
        catch (Budget.BudgetDeferredException deferred)
        {
            return deferred.RetryAt;
        }
        catch (GraphException exception) when (exception.WriteOutcomeUnknown)
        {
            // The answer was lost: the attempt keeps its write mark and the next step reads back first.
            if (attempt.Tries >= Options.MaxTries)
            {
                return await SettleCommentAsync(channelId, new FirstCommentView(FirstCommentView.Failed, FailureReason: $"Graph failed {attempt.Tries} times: {exception.Message}"));
            }

            return time.GetUtcNow() + Options.RetryBaseDelay * Math.Pow(2, Math.Max(0, attempt.Tries - 1));
        }
        catch (GraphException exception)
        {
            return await SettleCommentAsync(channelId, new FirstCommentView(FirstCommentView.Failed, FailureReason: $"Graph refused the comment (code {exception.Code}): {exception.Message}"));
        }
    }

    private async Task<DateTimeOffset?> SettleCommentAsync(string channelId, FirstCommentView outcome)
    {
        await UpdateAsync(current => WithPublication(current, channelId, p => CommentPending(p) ? p with { FirstComment = outcome } : p));
        await Attempts.DeleteAsync(PublicationAttempt.KeyOf(Key.PostId, CommentAttemptKey(channelId)), CancellationToken.None);
        if (outcome.Status == FirstCommentView.Failed)
        {
            LogFirstCommentFailed(logger, Key.TenantId, Key.PostId, channelId, outcome.FailureReason);
        }

        return null;
    }

    [LoggerMessage(EventId = 4018, Level = LogLevel.Information, Message = "Post {PostId} of tenant {TenantId}: first comment on {ChannelId} posted as {CommentId} (adopted: {Adopted})")]
    private static partial void LogFirstComment(ILogger logger, string tenantId, string postId, string channelId, string commentId, bool adopted);

    [LoggerMessage(EventId = 4019, Level = LogLevel.Warning, Message = "Post {PostId} of tenant {TenantId}: first comment on {ChannelId} failed: {Reason}")]
    private static partial void LogFirstCommentFailed(ILogger logger, string tenantId, string postId, string channelId, string? reason);
}
