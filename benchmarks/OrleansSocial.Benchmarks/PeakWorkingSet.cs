using System.Diagnostics;

namespace OrleansSocial.Benchmarks;

/// <summary>Samples this process's working set every 100 ms.</summary>
internal sealed class PeakWorkingSet : IDisposable
{
    private readonly Timer _timer;
    private long _peak;

    public PeakWorkingSet() => _timer = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(100));

    public double PeakMiB
    {
        get
        {
            Sample();
            return Interlocked.Read(ref _peak) / (1024.0 * 1024);
        }
    }

    public void Dispose() => _timer.Dispose();

    private void Sample()
    {
        using var self = Process.GetCurrentProcess();
        var now = self.WorkingSet64;
        long seen;
        while (now > (seen = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, seen) != seen)
        {
        }
    }
}
