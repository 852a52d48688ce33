using Microsoft.Extensions.Options;

namespace OrleansSocial.Grains.Posts.Publishing;

/// <summary>
/// How many publishing steps one silo runs at once (<see cref="PublishingOptions.MaxConcurrentSteps"/>).
/// Ten thousand posts due in the same minute would otherwise each open their tenant's database and a
/// Graph connection at the same instant; past a few hundred that exhausts file descriptors and memory
/// maps before it gets anything published sooner.
/// </summary>
public sealed class PublishingSlots(IOptions<PublishingOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(Math.Max(1, options.Value.MaxConcurrentSteps));

    public async Task<IDisposable> TakeAsync()
    {
        await _slots.WaitAsync();
        return new Slot(_slots);
    }

    public void Dispose() => _slots.Dispose();

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
