using System.Collections.Concurrent;

namespace OrleansSocial.Storage.Mongo;

/// <summary>
/// "This tenant database exists", remembered for a short while. MongoDB creates a database on its
/// first write, so a stale "yes" would let a write resurrect a dropped tenant: entries expire, so
/// another silo re-checks within <see cref="Lifetime"/>, and the silo that drops forgets at once.
/// </summary>
public sealed class ExistenceCache(TimeProvider time, TimeSpan lifetime)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _confirmed = new(StringComparer.Ordinal);

    public TimeSpan Lifetime { get; } = lifetime;

    public bool IsFresh(string database) =>
        _confirmed.TryGetValue(database, out var at) && time.GetUtcNow() - at < Lifetime;

    public void Confirm(string database) => _confirmed[database] = time.GetUtcNow();

    public void Forget(string database) => _confirmed.TryRemove(database, out _);
}
