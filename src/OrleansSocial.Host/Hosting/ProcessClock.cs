using System.Diagnostics;

namespace OrleansSocial.Host.Hosting;

/// <summary>
/// The clock Orleans' membership and watchdog read, with timestamps counted from process start
/// instead of machine boot. Orleans 10.4's watchdog starts its platform thread before it records
/// the component check's first timestamp; a first platform tick that wins that race measures from
/// timestamp 0, and reported "Participant check thread has not completed for" the machine's uptime
/// (seen: 00:24:56 right after a restart). From process start, that reading is the process's age, a
/// few seconds, under the stall threshold. Elapsed times between real timestamps are unchanged.
/// </summary>
internal sealed class ProcessClock : TimeProvider
{
    private readonly long _start = Stopwatch.GetTimestamp();

    public override long GetTimestamp() => Stopwatch.GetTimestamp() - _start;
}
