namespace OrleansSocial.Grains.Tenancy;

/// <summary>
/// Places a tenant grain admitted whose record may not be written yet (a webhook endpoint, a draft):
/// each counts against its limit until its record is seen written, or for <paramref name="hold"/>,
/// after which an admission whose creation failed no longer holds a place. Used in the grain's turn only.
/// </summary>
internal sealed class HeldAdmissions(TimeSpan hold)
{
    private readonly Dictionary<string, DateTimeOffset> _held = new(StringComparer.Ordinal);

    public int Count => _held.Count;

    public IEnumerable<string> Ids => _held.Keys;

    public void Hold(string id, DateTimeOffset now) => _held[id] = now;

    /// <summary>Ends the holds that ran out or whose record <paramref name="written"/> says is stored (and counted there now).</summary>
    public async Task SettleAsync(DateTimeOffset now, Func<string, ValueTask<bool>> written)
    {
        foreach (var (id, at) in _held.ToList())
        {
            if (now - at > hold || await written(id))
            {
                _held.Remove(id);
            }
        }
    }
}
