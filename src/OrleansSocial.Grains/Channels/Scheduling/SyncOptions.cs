namespace OrleansSocial.Grains.Channels.Scheduling;

/// <summary>The sync engine's knobs (configuration section <c>Sync</c>).</summary>
public sealed class SyncOptions
{
    public const string Section = "Sync";

    /// <summary>Scheduled syncs of different channels spread over this window after each period starts.</summary>
    public TimeSpan StaggerWindow { get; set; } = TimeSpan.FromHours(6);

    /// <summary>
    /// How often each schedule reminder ticks after its first due time. A tick that finds its sync
    /// already done does nothing; after downtime the first tick runs the missed sync once.
    /// </summary>
    public TimeSpan CatchUpPeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A new channel's first sync (its history) starts within this window after connecting, staggered by channel.</summary>
    public TimeSpan InitialSyncWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>While a run is parked by the rate budget, a reminder with this period checks whether it may go on.</summary>
    public TimeSpan ResumePeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A channel deactivating mid-run (its silo stopping) waits this long for the run to finish before handing it off.</summary>
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Sync runs one silo works on at once; the rest wait their turn, still shown as running (see <see cref="Sync.SyncSlots"/>).</summary>
    public int MaxConcurrentRuns { get; set; } = 64;

    /// <summary>How far back a channel's first sync reads posts.</summary>
    public int FirstSyncDays { get; set; } = 30;

    /// <summary>Comments are read for posts this recent.</summary>
    public int RecentCommentDays { get; set; } = 7;

    /// <summary>Each run that read posts ends by adding those that settled to the channel's best-times tally (off: best times stop moving).</summary>
    public bool BestTimes { get; set; } = true;

    /// <summary>How often a channel without Meta's webhooks reads its recent posts' comments into the inbox.</summary>
    public TimeSpan CommentPollPeriod { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The monthly backfill looks for missing days of insights this far back (Facebook keeps 2 years; Instagram serves 30 days).</summary>
    public int BackfillDays { get; set; } = 90;

    /// <summary>A token expiring within this time is flagged on the channel.</summary>
    public TimeSpan TokenExpiryWarning { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// An Instagram Login token (60 days) is refreshed by the daily sync once it expires within this time:
    /// well before the expiry warning, so a refresh that keeps failing has weeks of daily retries first.
    /// </summary>
    public TimeSpan InstagramTokenRefreshAhead { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Instagram refreshes only tokens at least this old (the platform's rule: 24 hours).</summary>
    public TimeSpan InstagramTokenMinimumAge { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Whether an Instagram Login token issued and expiring at these times is due for its refresh now.</summary>
    public bool InstagramRefreshDue(DateTimeOffset? issuedAt, DateTimeOffset? expiresAt, DateTimeOffset now) =>
        expiresAt is { } expires && expires > now && expires - now <= InstagramTokenRefreshAhead
        && (issuedAt is not { } issued || now - issued >= InstagramTokenMinimumAge);
}
