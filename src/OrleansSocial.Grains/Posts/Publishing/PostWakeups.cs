using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansSocial.Grains.Concurrency;
using OrleansSocial.Posts;

namespace OrleansSocial.Grains.Posts.Publishing;

/// <summary>
/// Brings back posts whose activations the cluster took away mid-delivery. When a silo dies, every
/// activation elsewhere whose grain directory entry it held is deactivated too (Orleans'
/// <c>DirectoryFailure</c>); nothing else would call such a post before its reminder's next tick, a
/// reminder period later. The call goes from outside the grain (its activation is gone by then), after
/// the first passing-failure wait, and is retried like one.
/// </summary>
public sealed partial class PostWakeups(IGrainFactory grains, IOptions<PublishingOptions> options, TimeProvider time, ILogger<PostWakeups> logger)
{
    public void WakeSoon(string tenantId, string postId) => _ = Task.Run(() => WakeAsync(tenantId, postId));

    private async Task WakeAsync(string tenantId, string postId)
    {
        var settings = options.Value;
        try
        {
            await Task.Delay(settings.PassingRetryDelay, time);
            await PassingFailure.RetryAsync(() => grains.GetGrain<IPostGrain>(PostIds.GrainKey(tenantId, postId)).Resume(), settings.PassingRetryDelay, settings.PassingRetries, time,
                (failure, _) => LogRetrying(logger, tenantId, postId, failure), CancellationToken.None);
        }
        catch (Exception exception)
        {
            LogNotWoken(logger, exception, tenantId, postId);
        }
    }

    [LoggerMessage(EventId = 4022, Level = LogLevel.Information, Message = "Waking post {PostId} of tenant {TenantId} after its activation was taken away mid-delivery met a passing failure ({Failure}); trying again")]
    private static partial void LogRetrying(ILogger logger, string tenantId, string postId, string failure);

    [LoggerMessage(EventId = 4023, Level = LogLevel.Warning, Message = "Post {PostId} of tenant {TenantId} could not be woken after its activation was taken away mid-delivery; its reminder brings it back")]
    private static partial void LogNotWoken(ILogger logger, Exception exception, string tenantId, string postId);
}
