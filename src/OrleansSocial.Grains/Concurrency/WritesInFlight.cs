namespace OrleansSocial.Grains.Concurrency;

/// <summary>
/// Graph writes without an idempotency key, as one activation knows them. A write recorded as started
/// whose end this activation did not see may still be in flight in another activation (one Orleans is
/// deactivating, or one on a silo not yet declared dead): it is read back only once it cannot be,
/// <c>settle</c> after it started (writes are never retried, so Graph's attempt timeout bounds them).
/// A write this activation saw end is read back at once: only its answer was lost.
/// </summary>
internal sealed class WritesInFlight(TimeProvider time)
{
    private readonly Dictionary<string, DateTimeOffset> _seenEnding = new(StringComparer.Ordinal);

    /// <summary>This activation saw the write started at <paramref name="started"/> end (answered, refused or failed).</summary>
    public void Ended(string key, DateTimeOffset started) => _seenEnding[key] = started;

    /// <summary>When a write started at <paramref name="started"/> may be read back; null when it may be now.</summary>
    public DateTimeOffset? SettlesAt(string key, DateTimeOffset started, TimeSpan settle) =>
        _seenEnding.GetValueOrDefault(key) != started && time.GetUtcNow() < started + settle ? started + settle : null;
}
