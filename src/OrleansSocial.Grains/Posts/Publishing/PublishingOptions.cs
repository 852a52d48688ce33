namespace OrleansSocial.Grains.Posts.Publishing;

/// <summary>How publications are delivered (configuration section <c>Publishing</c>).</summary>
public sealed class PublishingOptions
{
    public const string Section = "Publishing";

    /// <summary>
    /// How late a publication may still go out. One missed while the cluster was down (or held because
    /// its channel was paused or its tenant suspended) is published once when it can be, up to this
    /// long after its due time; later than that it fails with reason <c>missed</c>.
    /// </summary>
    public TimeSpan MaxLateness { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// A post with publications still to deliver keeps a reminder that ticks this often after its due
    /// time: it brings the post back after a silo dies mid-publication or the cluster was down.
    /// </summary>
    public TimeSpan ReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// First wait before a delivery stopped by a passing failure (a call to a silo that just died, a
    /// database failing over, a tenant's move) runs again; doubles per try, <see cref="PassingRetries"/>
    /// times, before the delivery is left to the reminder's next tick. With the shipped membership
    /// settings a dead silo is declared and replaced in about 3 s.
    /// </summary>
    public TimeSpan PassingRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    public int PassingRetries { get; set; } = 4;

    /// <summary>Tries of one publication whose outcome stays transient or unknown before it fails (retryable).</summary>
    public int MaxTries { get; set; } = 5;

    /// <summary>Backoff after a transient failure: this, doubled per try, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>First wait before polling an Instagram container again; doubles per poll up to <see cref="ContainerPollMax"/>.</summary>
    public TimeSpan ContainerPollInitial { get; set; } = TimeSpan.FromSeconds(3);

    public TimeSpan ContainerPollMax { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A container still processing after this long fails (retryable: a retry makes a new one).</summary>
    public TimeSpan ContainerTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Publishing steps one silo runs at once; the rest queue (see <see cref="PublishingSlots"/>).</summary>
    public int MaxConcurrentSteps { get; set; } = 64;

    /// <summary>
    /// How long after a write started another activation may still be waiting for it (at least
    /// <c>Graph:AttemptTimeout</c>, since writes are never retried): an unknown outcome this activation
    /// did not see end is read back only after this, so a write still in flight is never repeated.
    /// </summary>
    public TimeSpan WriteSettle { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>A post deactivating mid-delivery waits this long for the step in flight before it lets go.</summary>
    public TimeSpan DeactivationGrace { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Reading back after an unknown outcome looks at posts created from this long before the write started (clock skew).</summary>
    public TimeSpan ReadBackSkew { get; set; } = TimeSpan.FromMinutes(10);
}
