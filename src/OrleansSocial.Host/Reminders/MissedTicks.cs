namespace OrleansSocial.Host.Reminders;

/// <summary>When a reminder last fell due, from its definition alone (Orleans stores no occurrences).</summary>
public static class MissedTicks
{
    /// <summary>The latest tick at or before <paramref name="now"/>: the first tick plus whole periods; null before the first.</summary>
    public static DateTime? LastDue(DateTime startAt, TimeSpan period, DateTime now)
    {
        if (now < startAt)
        {
            return null;
        }

        if (period <= TimeSpan.Zero)
        {
            return startAt;
        }

        return startAt + TimeSpan.FromTicks((now - startAt).Ticks / period.Ticks * period.Ticks);
    }
}
