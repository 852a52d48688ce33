namespace OrleansSocial.Grains.Concurrency;

/// <summary>
/// A bound on how much of one kind of background work a silo runs at once; the rest queues. A
/// burst (ten thousand syncs or posts due in the same minute) then costs a queue, not ten thousand
/// open databases, Graph responses and buffers at the same instant.
/// </summary>
public abstract class SiloSlots(int count) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(Math.Max(1, count));

    /// <summary>Work waiting for a slot right now.</summary>
    public int Waiting => Math.Max(0, Volatile.Read(ref _waiting));

    private int _waiting;

    public async Task<IDisposable> TakeAsync(CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            await _slots.WaitAsync(cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }

        return new Slot(_slots);
    }

    public void Dispose()
    {
        _slots.Dispose();
        GC.SuppressFinalize(this);
    }

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }
}
