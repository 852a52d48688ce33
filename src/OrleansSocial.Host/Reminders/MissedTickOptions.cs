namespace OrleansSocial.Host.Reminders;

/// <summary>How reminder ticks lost to a crashed silo are made up for (<c>Reminders</c> section).</summary>
public sealed class MissedTickOptions
{
    public const string Section = "Reminders";

    /// <summary>
    /// How far back a tick may have fallen due and still be made up for. It must cover the time from
    /// a crash until the cluster declares the silo dead (seconds with the shipped membership settings)
    /// plus <see cref="CatchUpDelay"/>; anything older than this ran before the crash or is left to
    /// the reminder's next period.
    /// </summary>
    public TimeSpan CatchUpWindow { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>After a silo is declared dead, how long to let the survivors' reminder services take its range over before looking.</summary>
    public TimeSpan CatchUpDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Looks again this many times, <see cref="FollowUpInterval"/> apart, for ticks that fell due since
    /// the previous look: a survivor busy taking a dead silo's load may start the timers of the range
    /// it took over only after their first tick has passed, and Orleans then skips that tick (in the
    /// 10,000-channel benchmark, two first ticks due 65 s after the death was declared).
    /// </summary>
    public int FollowUps { get; set; } = 2;

    /// <summary>Time between the looks after a death (see <see cref="FollowUps"/>).</summary>
    public TimeSpan FollowUpInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How many grains are woken at once.</summary>
    public int MaxConcurrentCalls { get; set; } = 32;
}
