using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using OrleansSocial.Channels;

namespace OrleansSocial.Grains.Channels.Scheduling;

/// <summary>
/// Calendar arithmetic for scheduled syncs. A kind's period starts at local midnight (daily), local
/// Monday midnight (weekly) or the local first of the month (monthly) in the tenant's time zone; the
/// channel's due time is that start plus its stagger offset. Pure: the caller passes the time.
/// </summary>
public static class SyncSchedule
{
    /// <summary>
    /// Where in the stagger window this channel's syncs fall: derived from its grain key, so it is
    /// stable across restarts and silos and spreads 10,000 channels evenly instead of all at midnight.
    /// </summary>
    public static TimeSpan Offset(string grainKey, TimeSpan window)
    {
        if (window <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        var hash = BinaryPrimitives.ReadUInt64LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(grainKey)));
        return TimeSpan.FromSeconds(hash % (ulong)Math.Max(1, (long)window.TotalSeconds));
    }

    /// <summary>The latest due time at or before <paramref name="now"/>: the sync a tick at <paramref name="now"/> owes.</summary>
    public static DateTimeOffset LastDue(string kind, DateTimeOffset now, TimeZoneInfo zone, TimeSpan offset)
    {
        var local = TimeZoneInfo.ConvertTime(now, zone).DateTime;
        var start = PeriodStart(kind, local);
        var due = Due(start, zone, offset);
        while (due > now)
        {
            start = Step(kind, start, -1);
            due = Due(start, zone, offset);
        }

        return due;
    }

    /// <summary>The first due time strictly after <paramref name="now"/>.</summary>
    public static DateTimeOffset NextDue(string kind, DateTimeOffset now, TimeZoneInfo zone, TimeSpan offset)
    {
        var local = TimeZoneInfo.ConvertTime(now, zone).DateTime;
        var start = PeriodStart(kind, local);
        var due = Due(start, zone, offset);
        while (due <= now)
        {
            start = Step(kind, start, 1);
            due = Due(start, zone, offset);
        }

        return due;
    }

    /// <summary>The tenant's zone; an id the machine does not know falls back to UTC rather than stopping syncs.</summary>
    public static TimeZoneInfo Zone(string? id) =>
        !string.IsNullOrEmpty(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;

    private static DateTime PeriodStart(string kind, DateTime local) => kind switch
    {
        SyncKinds.Daily => local.Date,
        SyncKinds.Weekly => local.Date.AddDays(-(((int)local.DayOfWeek + 6) % 7)),
        SyncKinds.Monthly => new DateTime(local.Year, local.Month, 1),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "A sync kind is daily, weekly or monthly."),
    };

    private static DateTime Step(string kind, DateTime start, int periods) => kind switch
    {
        SyncKinds.Daily => start.AddDays(periods),
        SyncKinds.Weekly => start.AddDays(7 * periods),
        _ => start.AddMonths(periods),
    };

    /// <summary>A local period start in UTC, plus the offset. A midnight skipped by a DST change counts from the hour after it.</summary>
    private static DateTimeOffset Due(DateTime localStart, TimeZoneInfo zone, TimeSpan offset)
    {
        var local = DateTime.SpecifyKind(localStart, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(30);
        }

        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime() + offset;
    }
}
