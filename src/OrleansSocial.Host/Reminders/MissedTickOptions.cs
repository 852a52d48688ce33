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

    /// <summary>How many grains are woken at once.</summary>
    public int MaxConcurrentCalls { get; set; } = 32;
}
