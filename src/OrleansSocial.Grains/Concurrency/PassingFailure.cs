using OrleansSocial.Cluster;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Tenancy;

namespace OrleansSocial.Grains.Concurrency;

/// <summary>
/// Failures that say nothing about the work itself: the database or the cluster could not answer for
/// a moment (a failover's surge of activations, a tenant's move, a call to a silo that just died), so
/// the same step a moment later may succeed. Storage refusals count whether they come from this
/// grain's own database or from another grain, which hands them over as a <see cref="DomainException"/>.
/// </summary>
public static class PassingFailure
{
    public static bool Is(Exception exception) =>
        exception is StorageBusyException or TenantMovingException or DomainException { Kind: ProblemKind.Moving or ProblemKind.Busy }
        || ClusterFailure.Describe(exception) is not null;

    /// <summary>
    /// Runs <paramref name="work"/>, and again after each passing failure: first after
    /// <paramref name="delay"/>, doubling, at most <paramref name="retries"/> times. Any other failure,
    /// and the one after the last retry, is thrown; so is a cancelled wait. <paramref name="retrying"/>
    /// is told the failure in a few words (for the log) and the wait before the next try.
    /// </summary>
    public static async Task RetryAsync(Func<Task> work, TimeSpan delay, int retries, TimeProvider time, Action<string, TimeSpan> retrying, CancellationToken cancellationToken)
    {
        for (var retry = 0; ; retry++)
        {
            try
            {
                await work();
                return;
            }
            catch (Exception exception) when (retry < retries && Is(exception))
            {
                var wait = delay * Math.Pow(2, retry);
                retrying(ClusterFailure.Describe(exception) ?? exception.GetType().Name, wait);
                await Task.Delay(wait, time, cancellationToken);
            }
        }
    }
}
