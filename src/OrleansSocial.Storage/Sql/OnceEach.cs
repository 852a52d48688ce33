using System.Collections.Concurrent;

namespace OrleansSocial.Storage.Sql;

/// <summary>
/// Work done once per key in a process (a table made, a shared database made): callers share the
/// attempt in flight, and an attempt that failed is not remembered, so the next caller tries again.
/// </summary>
public sealed class OnceEach
{
    private readonly ConcurrentDictionary<string, Lazy<Task>> _done = new(StringComparer.Ordinal);

    public async Task RunAsync(string key, Func<string, Task> work)
    {
        var once = _done.GetOrAdd(key, k => new Lazy<Task>(() => work(k)));
        try
        {
            await once.Value;
        }
        catch
        {
            _done.TryRemove(new KeyValuePair<string, Lazy<Task>>(key, once));
            throw;
        }
    }

    /// <summary>Done no longer (what it made is gone): the next caller does it again.</summary>
    public void Forget(string key) => _done.TryRemove(key, out _);

    public void Clear() => _done.Clear();

    /// <summary>Done already (made by other means): no caller does it.</summary>
    public void MarkDone(string key) => _done[key] = new Lazy<Task>(Task.CompletedTask);
}
