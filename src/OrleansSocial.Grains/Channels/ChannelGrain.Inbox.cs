using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansSocial.Budget;
using OrleansSocial.Grains.Budget;
using OrleansSocial.Grains.Channels.Sync;
using OrleansSocial.Grains.Inbox;
using OrleansSocial.Graph;
using OrleansSocial.ReadModels.Inbox;

namespace OrleansSocial.Grains.Channels;

/// <summary>
/// How comments reach the inbox. Connecting lists the channel in the account directory (what routes
/// Meta's notifications) and installs the app on the Page for <c>feed</c> (on an Instagram Login account,
/// on the account itself for <c>comments</c>); disconnecting removes the listing and, when no channel of
/// any tenant uses the Page or account any more, uninstalls. Where webhooks cannot
/// be had (none configured, or the Page refused), the channel polls its recent posts' comments every
/// <see cref="Scheduling.SyncOptions.CommentPollPeriod"/> instead; the daily sync reconciles both.
/// </summary>
public sealed partial class ChannelGrain
{
    private const string CommentPollReminder = "poll-comments";
    public const string IntakeWebhooks = "webhooks";
    public const string IntakePolling = "polling";

    private Task? _poll;

    private AccountDirectory Directory => ServiceProvider.GetRequiredService<AccountDirectory>();

    private AccountChannel Listing(ChannelDocument channel) => new(channel.ExternalId, channel.PageId, Key.TenantId, Key.ChannelId);

    private async Task OpenCommentIntakeAsync(string token)
    {
        var channel = Require();
        await Directory.AddAsync(Listing(channel), CancellationToken.None);
        var intake = IntakePolling;
        if (graph.WebhooksConfigured && (channel.PageId is not null || channel.Host == GraphHost.Instagram))
        {
            try
            {
                var gate = new BudgetGate(GrainFactory.GetGrain<IRateBudgetGrain>(BudgetGate.BucketOf(channel.Platform, channel.ExternalId)), time, Key.TenantId);
                await gate.CallAsync(BudgetPriority.Manual, 1, () => channel.PageId is { } pageId
                    ? graph.SubscribePageAsync(pageId, token, ["feed"])
                    : graph.On(GraphHost.Instagram).SubscribeOwnAccountAsync(token, ["comments"]), usage => usage);
                intake = IntakeWebhooks;
            }
            catch (Exception exception) when (exception is GraphException or BudgetDeferredException)
            {
                LogSubscribeFailed(logger, Key.TenantId, Key.ChannelId, exception.Message);
            }
        }

        await UpdateAsync(current => Present(current) with { Listed = true, CommentIntake = intake });
        if (intake == IntakePolling)
        {
            await this.RegisterOrUpdateReminder(CommentPollReminder, Options.CommentPollPeriod, Options.CommentPollPeriod);
        }
        else
        {
            await UnregisterAsync(CommentPollReminder);
        }
    }

    /// <summary>A record written before the directory was (a crash between the two, or an older version): listed now.</summary>
    private async Task EnsureListedAsync()
    {
        if (Current is { Listed: false } channel)
        {
            try
            {
                await Directory.AddAsync(Listing(channel), CancellationToken.None);
                await UpdateAsync(current => Present(current) with { Listed = true });
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                LogListingDeferred(logger, Key.TenantId, Key.ChannelId, exception.GetType().Name);
            }
        }
    }

    private async Task CloseCommentIntakeAsync()
    {
        await UnregisterAsync(CommentPollReminder);
        if (Current is not { } channel)
        {
            return;
        }

        var remaining = await Directory.RemoveAsync(Listing(channel), CancellationToken.None);
        if (remaining == 0 && channel.CommentIntake == IntakeWebhooks && channel.Status == OrleansSocial.Channels.ChannelStatus.Active
            && (channel.PageId is not null || channel.Host == GraphHost.Instagram))
        {
            try
            {
                var token = protector.Unprotect(channel.Token, Key.TenantId, Key.ChannelId);
                await (channel.PageId is { } pageId ? graph.UnsubscribePageAsync(pageId, token) : graph.On(GraphHost.Instagram).UnsubscribeOwnAccountAsync(token));
            }
            catch (GraphException exception)
            {
                // The listing is gone either way: an installed app with no channel only sends notifications nobody routes.
                LogSubscribeFailed(logger, Key.TenantId, Key.ChannelId, exception.Message);
            }
        }
    }

    /// <summary>
    /// The comments of the channel's recent posts, into the inbox (webhooks unavailable). Beside the
    /// grain's turns, like a run: the conversations it feeds may ask this channel about itself meanwhile.
    /// </summary>
    private Task PollCommentsAsync()
    {
        var channel = Require();
        if (channel.Paused || channel.Status != OrleansSocial.Channels.ChannelStatus.Active || _work is { IsCompleted: false } || _poll is { IsCompleted: false })
        {
            return Task.CompletedTask;
        }

        _poll = PollAsync(channel);
        return Task.CompletedTask;
    }

    private async Task PollAsync(ChannelDocument channel)
    {
        await Task.Yield();

        var (tenantId, channelId) = Key;
        var sync = SyncOf(channel, "poll");
        var target = TargetOf(channel, BudgetPriority.Scheduled);
        try
        {
            await sync.PollCommentsAsync(target, CancellationToken.None);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The next poll or the daily sync reads them.
            LogPollFailed(logger, tenantId, channelId, exception.GetType().Name);
        }
    }

    [LoggerMessage(EventId = 3020, Level = LogLevel.Warning, Message = "Channel {ChannelId} of tenant {TenantId}: the Page's webhook subscription failed ({Reason}); its comments are polled")]
    private static partial void LogSubscribeFailed(ILogger logger, string tenantId, string channelId, string reason);

    [LoggerMessage(EventId = 3021, Level = LogLevel.Warning, Message = "Channel {ChannelId} of tenant {TenantId}: listing in the account directory deferred ({Failure})")]
    private static partial void LogListingDeferred(ILogger logger, string tenantId, string channelId, string failure);

    [LoggerMessage(EventId = 3022, Level = LogLevel.Information, Message = "Channel {ChannelId} of tenant {TenantId}: comment poll failed ({Failure}); the next one or the daily sync reads them")]
    private static partial void LogPollFailed(ILogger logger, string tenantId, string channelId, string failure);
}
