using OrleansSocial.Budget;
using OrleansSocial.Graph;

namespace OrleansSocial.Grains.Budget;

/// <summary>The rate budget said not now: the run stops spending and resumes at <see cref="RetryAt"/>.</summary>
public sealed class BudgetDeferredException(DateTimeOffset retryAt, string reason, Exception? inner = null) : Exception(reason, inner)
{
    public DateTimeOffset RetryAt { get; } = retryAt;
}

/// <summary>
/// Puts every Graph call of a run through its bucket's <see cref="IRateBudgetGrain"/>: asks before
/// the call, reports the usage headers after it. A throttling error pauses the bucket and defers
/// the run instead of being retried.
/// </summary>
public sealed class BudgetGate(IRateBudgetGrain bucket, TimeProvider time, string tenantId)
{
    public static string BucketOf(string platform, string externalId) => platform == OrleansSocial.Channels.ChannelIds.Facebook ? $"page:{externalId}" : $"ig:{externalId}";

    public int Calls { get; private set; }

    public async Task<T> CallAsync<T>(BudgetPriority priority, int calls, Func<Task<T>> call, Func<T, GraphUsage> usageOf)
    {
        await AskAsync(priority, calls);
        T result;
        try
        {
            result = await call();
        }
        catch (GraphException exception) when (exception.Kind == GraphErrorKind.Throttled)
        {
            throw await PausedAsync(exception);
        }

        await ReportAsync(usageOf(result));
        return result;
    }

    /// <summary>A cursor-paged edge with every page asked for and reported.</summary>
    public async IAsyncEnumerable<GraphPage<T>> PagesAsync<T>(BudgetPriority priority, IAsyncEnumerable<GraphPage<T>> pages)
    {
        await using var pager = pages.GetAsyncEnumerator();
        while (true)
        {
            await AskAsync(priority, 1);
            bool more;
            try
            {
                more = await pager.MoveNextAsync();
            }
            catch (GraphException exception) when (exception.Kind == GraphErrorKind.Throttled)
            {
                throw await PausedAsync(exception);
            }

            if (!more)
            {
                yield break;
            }

            await ReportAsync(pager.Current.Usage);
            yield return pager.Current;
            if (pager.Current.IsLast)
            {
                // Asking for the next page would spend budget (and count a call) on a call never made.
                yield break;
            }
        }
    }

    /// <summary>
    /// A response without usage headers says nothing about the bucket: reported as 0 % it would reset
    /// what the bucket knows (debug_token answers carry none, and every scheduled run starts with one).
    /// </summary>
    private async Task ReportAsync(GraphUsage usage)
    {
        if (!usage.IsEmpty)
        {
            await bucket.Report(ReportOf(usage, throttled: false));
        }
    }

    private async Task AskAsync(BudgetPriority priority, int calls)
    {
        var decision = await bucket.Request(priority, calls, tenantId);
        if (!decision.Granted)
        {
            throw new BudgetDeferredException(decision.RetryAt ?? time.GetUtcNow(), decision.Reason ?? "The rate budget is spent.");
        }

        Calls += 1;
    }

    private async Task<BudgetDeferredException> PausedAsync(GraphException exception)
    {
        var report = ReportOf(exception.Usage, throttled: true) with { RegainAfter = exception.RegainAfter ?? TimeSpan.Zero };
        await bucket.Report(report);
        var decision = await bucket.Request(BudgetPriority.Manual, 1, tenantId);
        return new BudgetDeferredException(decision.RetryAt ?? time.GetUtcNow(), $"Graph throttled the call (code {exception.Code}); paused until the bucket regains access.", exception);
    }

    private static BudgetReport ReportOf(GraphUsage usage, bool throttled) => new(usage.MaxPercent, usage.RegainAfter, throttled);
}
