namespace OrleansSocial.GraphEmulator.World;

/// <summary>The emulator's time: starts at a configured instant, runs at a configured speed, can be set or advanced.</summary>
public sealed class EmulatorClock(DateTimeOffset start, double speed, TimeProvider real)
{
    private readonly object _gate = new();
    private DateTimeOffset _anchorEmulated = start;
    private DateTimeOffset _anchorReal = real.GetUtcNow();
    private double _speed = speed;

    public DateTimeOffset Now
    {
        get
        {
            lock (_gate)
            {
                var elapsed = real.GetUtcNow() - _anchorReal;
                return _anchorEmulated + TimeSpan.FromTicks((long)(elapsed.Ticks * _speed));
            }
        }
    }

    public double Speed
    {
        get
        {
            lock (_gate)
            {
                return _speed;
            }
        }
    }

    public void Set(DateTimeOffset now, double? speed = null)
    {
        lock (_gate)
        {
            _anchorEmulated = now;
            _anchorReal = real.GetUtcNow();
            _speed = speed ?? _speed;
        }
    }

    public void Advance(TimeSpan by) => Set(Now + by);
}
