using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansSocial.Grains.Channels.Scheduling;
using Microsoft.Extensions.Options;
using OrleansSocial.Budget;

namespace OrleansSocial.Grains.Budget;

/// <summary>
/// One Graph rate-limit bucket for the whole cluster. It keeps the last usage Graph reported and
/// the size of one call in percent (learned from consecutive reports), and grants a call only
/// while the estimate after it stays under the caller's priority ceiling. A throttling error pauses
/// the bucket until its regain time; everyone asking meanwhile is told when to come back.
/// Usage is kept in memory on purpose: usage headers rebuild the picture within one call after a
/// restart. A pause is not: a new activation (its silo died, or it went idle) that forgot it would let
/// every waiting caller hit a throttled bucket again, and each such call extends Meta's penalty. So a
/// pause is written to Orleans grain state (the <c>state</c> provider: SQLite embedded, PostgreSQL or
/// MongoDB in a cluster) and read back at activation; a bucket holds no tenant's data, so it lives
/// there rather than in a tenant's database.
/// </summary>
public sealed partial class RateBudgetGrain(
    [FromKeyedServices(SyncEngineServices.ClockKey)] TimeProvider time,
    IOptions<RateBudgetOptions> options,
    [PersistentState("budget-pause", GrainState.Storage)] IPersistentState<BudgetPause> pause,
    OrleansSocial.ReadModels.Operations.OperatorFigures figures,
    ILogger<RateBudgetGrain> logger) : Grain, IRateBudgetGrain
{
    private const double MaxLearnedStep = 25;

    /// <summary>Calls a measuring window spans before its rise is trusted as calls × one call's share.</summary>
    private const int WindowCalls = 20;

    /// <summary>
    /// The rise a measuring window waits for: reports are whole percents, so a rise of one point may be
    /// anything from just over 0 to 2 points of real use, and measured over it a call looks twice its size.
    /// </summary>
    private const double WindowRise = 2;

    private double _percent;

    /// <summary>Graph has reported this bucket's usage at least once since activation.</summary>
    private bool _reported;
    private double _perCall = double.NaN;

    // One call's share measured over many calls: the rise since the window began over the calls granted
    // since. Graph reports whole percents (X-App-Usage), so the rise between two reports is 0 or 1 even
    // when a call is 0.0005% of an app's hour; learned from single steps, one call looked like 1% and the
    // fair share parked thousands of first syncs with most of the app budget unspent.
    private double _windowPercent = double.NaN;
    private long _windowCalls;
    private double _measuredPerCall = double.NaN;
    private DateTimeOffset _reportedAt;
    private DateTimeOffset _pausedUntil;

    private RateBudgetOptions Options => options.Value;

    /// <summary>Until learned, a call is taken as 1%: Graph's per-object quotas are in the hundreds of calls or more.</summary>
    private double PerCall => !double.IsNaN(_measuredPerCall) ? _measuredPerCall : double.IsNaN(_perCall) ? 1 : _perCall;

    // Per priority and tenant: when it last asked, and the calls granted to it within the fair-share window.
    private readonly Dictionary<(BudgetPriority, string), Share> _shares = [];

    private sealed class Share
    {
        private readonly Queue<(DateTimeOffset At, int Calls)> _granted = new();

        public DateTimeOffset LastAsked;

        /// <summary>Calls granted and not yet aged out: kept as a sum, since every request compares it against every other tenant's.</summary>
        public int Spent { get; private set; }

        public void Grant(DateTimeOffset at, int calls)
        {
            _granted.Enqueue((at, calls));
            Spent += calls;
        }

        public void Forget(DateTimeOffset before)
        {
            while (_granted.TryPeek(out var oldest) && oldest.At < before)
            {
                Spent -= _granted.Dequeue().Calls;
            }
        }
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (pause.State.Until > time.GetUtcNow())
        {
            _pausedUntil = pause.State.Until;
            _percent = pause.State.PercentUsed;
            _reported = true;
        }

        return Task.CompletedTask;
    }

    public Task<BudgetDecision> Request(BudgetPriority priority, int calls, string tenantId)
    {
        var now = time.GetUtcNow();
        if (now < _pausedUntil)
        {
            return Task.FromResult(new BudgetDecision(false, _pausedUntil, "Graph throttled this bucket; paused until its regain time."));
        }

        if (_pausedUntil != default)
        {
            // The regain time has passed: what was reported before it no longer holds.
            _pausedUntil = default;
            _percent = 0;
        }

        var ceiling = priority switch
        {
            BudgetPriority.Publishing => Options.PublishingCeiling,
            BudgetPriority.Conversation => Options.ConversationCeiling,
            BudgetPriority.Manual => Options.ManualCeiling,
            BudgetPriority.Scheduled => Options.ScheduledCeiling,
            _ => Options.BackfillCeiling,
        };
        var probeAt = _reportedAt + Options.ProbeAfter;
        var share = ShareOf(priority, tenantId, now);
        if (_percent + Math.Max(1, calls) * PerCall > ceiling && now < probeAt)
        {
            return Task.FromResult(new BudgetDecision(false, probeAt, $"{_percent:0.#}% of this bucket is used; {priority} work stops at {ceiling:0.#}%."));
        }

        // Taking turns: the calls left under the ceiling keep a reserve for every other tenant of this
        // priority that asked recently and has spent less; a tenant ahead of them waits for its turn.
        // Only once Graph has said how full the bucket is: with no usage report yet (an app bucket that
        // only sees debug_token, whose answers carry none) "calls left" would be a guess at 1 % a call,
        // and the 4,000-channel scheduled run parked hundreds of first syncs on that guess at 0 % used.
        var behind = _reported ? _shares.Count(s => s.Key.Item1 == priority && s.Key.Item2 != tenantId && s.Value.Spent < share.Spent) : 0;
        var left = (ceiling - _percent) / PerCall - Math.Max(1, calls);
        if (behind > 0 && left < behind * Options.FairShareReserveCalls && now < probeAt)
        {
            return Task.FromResult(new BudgetDecision(false, probeAt, $"Tenants share this bucket: {behind} other tenant(s) that spent less go first ({_percent:0.#}% used, about {Math.Max(0, left):0} calls left under {ceiling:0.#}%)."));
        }

        share.Grant(now, Math.Max(1, calls));
        _windowCalls += Math.Max(1, calls);

        // Usage rolls off over time: the first call after a quiet spell goes through and refreshes the picture.
        if (now >= probeAt)
        {
            _reportedAt = now;
        }

        return Task.FromResult(BudgetDecision.Grant);
    }

    /// <summary>The tenant's share, marked as asking now; shares gone quiet for a window are forgotten.</summary>
    private Share ShareOf(BudgetPriority priority, string tenantId, DateTimeOffset now)
    {
        var since = now - Options.FairShareWindow;
        foreach (var (key, stale) in _shares.Where(s => s.Value.LastAsked < since).ToList())
        {
            _shares.Remove(key);
        }

        if (!_shares.TryGetValue((priority, tenantId), out var share))
        {
            _shares[(priority, tenantId)] = share = new Share();
        }

        share.Forget(since);

        share.LastAsked = now;
        return share;
    }

    public async Task Report(BudgetReport report)
    {
        var now = time.GetUtcNow();
        // One call's share: the smallest rise between consecutive ordinary reports (a larger rise means
        // other spenders called in between; a throttled report overshoots by design).
        var step = report.PercentUsed - _percent;
        if (!report.Throttled && step is > 0 and <= MaxLearnedStep && now - _reportedAt < TimeSpan.FromMinutes(1))
        {
            _perCall = double.IsNaN(_perCall) ? step : Math.Min(_perCall, Math.Max(0.01, step));
        }

        Measure(report);
        _reported = true;
        _percent = report.PercentUsed;
        _reportedAt = now;
        figures.BudgetUsed(this.GetPrimaryKeyString(), _percent);
        if (report.Throttled || report.RegainAfter > TimeSpan.Zero)
        {
            var length = report.RegainAfter > Options.MinimumPause ? report.RegainAfter : Options.MinimumPause;
            if (now + length > _pausedUntil)
            {
                _pausedUntil = now + length;
                await KeepPauseAsync();
            }

            LogPaused(logger, this.GetPrimaryKeyString(), report.Throttled, _pausedUntil);
        }
    }

    /// <summary>Writes the pause for the next activation; a failed write is logged (this activation still holds it).</summary>
    private async Task KeepPauseAsync()
    {
        try
        {
            pause.State.Until = _pausedUntil;
            pause.State.PercentUsed = _percent;
            await pause.WriteStateAsync();
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LogPauseNotKept(logger, exception, this.GetPrimaryKeyString());
        }
    }

    private void Measure(BudgetReport report)
    {
        if (report.Throttled)
        {
            return;
        }

        if (double.IsNaN(_windowPercent) || report.PercentUsed <= _windowPercent - WindowRise)
        {
            // The first report, or usage rolled off: measure from here. A report one point lower is
            // not a roll-off: answers to concurrent calls arrive out of order.
            (_windowPercent, _windowCalls) = (report.PercentUsed, 0);
        }
        else if (report.PercentUsed >= _windowPercent + WindowRise && _windowCalls >= WindowCalls)
        {
            // Calls granted but not yet answered count too, so this errs small by the calls in flight.
            _measuredPerCall = Math.Clamp((report.PercentUsed - _windowPercent) / _windowCalls, 1e-6, MaxLearnedStep);
            (_windowPercent, _windowCalls) = (report.PercentUsed, 0);
        }
    }

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Rate budget {Bucket}: its pause could not be written; a new activation would not know it")]
    private static partial void LogPauseNotKept(ILogger logger, Exception exception, string bucket);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Rate budget {Bucket} paused (throttled by Graph: {Throttled}) until {Until}")]
    private static partial void LogPaused(ILogger logger, string bucket, bool throttled, DateTimeOffset until);
}

/// <summary>A bucket's pause as written for the next activation: until when, and the usage Graph reported with it.</summary>
[GenerateSerializer, Alias("OrleansSocial.BudgetPause")]
public sealed class BudgetPause
{
    [Id(0)]
    public DateTimeOffset Until { get; set; }

    [Id(1)]
    public double PercentUsed { get; set; }
}
