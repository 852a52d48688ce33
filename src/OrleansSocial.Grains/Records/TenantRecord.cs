using System.Text.Json;
using OrleansSocial.Grains.Webhooks;
using OrleansSocial.ReadModels;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Webhooks;

namespace OrleansSocial.Grains.Records;

/// <summary>A record that announces its changes: the events stored beside it (its <c>outbox</c>) until they are handed over.</summary>
public interface IAnnouncingRecord<T>
{
    IReadOnlyList<WebhookEvent>? Outbox { get; }

    T WithOutbox(IReadOnlyList<WebhookEvent>? outbox);
}

/// <summary>
/// The one writer of one grain's document in its tenant's database: the grain's turns, its background
/// work and its reminders all change the record through <see cref="UpdateAsync"/>, which computes from
/// the latest, writes and assigns under one lock. Loading tolerates damage (the reader decides what a
/// usable record is; anything else reads as missing). Events announced by a change are written in the
/// same document and handed to the tenant's webhook endpoints after (<see cref="RelayAsync"/>); those
/// handed over leave the document with its next write rather than with a write of their own, since
/// handing one over again (after a reactivation) finds its deliveries already there and adds nothing.
/// A record that announces nothing (any <typeparamref name="T"/> that is not an <see cref="IAnnouncingRecord{T}"/>) gets the rest.
/// Every record keeps its events in the same place, an <c>outbox</c> array beside its own fields.
/// <paramref name="write"/> shapes the stored document when a record stores more than itself (a post
/// stores the keys its calendar is queried by); by default the record's JSON is the document.
/// </summary>
public sealed class TenantRecord<T>(IDocumentCollection collection, string id, Func<JsonElement, T?> read, Func<T, JsonElement>? write = null) where T : class
{
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly HashSet<string> _relayed = new(StringComparer.Ordinal);

    public T? Current { get; private set; }

    /// <summary>Events announced and not handed over yet.</summary>
    public int Pending => OutboxOf(Current)?.Count(e => !_relayed.Contains(e.Id)) ?? 0;

    private static IReadOnlyList<WebhookEvent>? OutboxOf(T? record) => (record as IAnnouncingRecord<T>)?.Outbox;

    /// <summary>Reads the stored record; false when there is none. A stored record <paramref name="read"/> refuses leaves <see cref="Current"/> null.</summary>
    public async Task<bool> LoadAsync(CancellationToken cancellationToken) => await LoadStoredAsync(cancellationToken) is not null;

    /// <summary><see cref="LoadAsync"/>, answering the stored document itself (null when there is none) for a grain that checks its layout.</summary>
    public async Task<JsonElement?> LoadStoredAsync(CancellationToken cancellationToken)
    {
        if (await collection.GetAsync(id, cancellationToken) is not { } stored)
        {
            return null;
        }

        Current = read(stored);
        return stored;
    }

    /// <summary>The record as written by other means (with its database, in one transaction): assigned, not written again.</summary>
    public void Written(T record) => Current = record;

    /// <summary>Compute from the latest, write, assign; a change that returns null (or the same record) writes nothing.</summary>
    public Task<T?> UpdateAsync(Func<T?, T?> change) => UpdateAsync(current => ValueTask.FromResult(change(current)));

    /// <summary>
    /// <see cref="UpdateAsync(Func{T?, T?})"/> for a change that does work of its own before the write
    /// (a reminder that must exist before the record says it is needed), and <paramref name="written"/>
    /// after it, still under the lock (documents derived from the record, written in step with it).
    /// </summary>
    public async Task<T?> UpdateAsync(Func<T?, ValueTask<T?>> change, Func<T?, T, Task>? written = null)
    {
        await _writer.WaitAsync();
        try
        {
            if (await change(Current) is not { } changed || ReferenceEquals(changed, Current))
            {
                return Current;
            }

            var next = changed is IAnnouncingRecord<T> { Outbox: { Count: > 0 } outbox } announcing && outbox.Any(e => _relayed.Contains(e.Id))
                ? announcing.WithOutbox([.. outbox.Where(e => !_relayed.Contains(e.Id))])
                : changed;
            await collection.UpsertAsync(id, write is null ? DocumentJson.ToJson(next) : write(next), CancellationToken.None);
            var previous = Current;
            Current = next;
            if (written is not null)
            {
                await written(previous, next);
            }

            return next;
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the current record under the writer's lock: documents derived from
    /// the record and written here land in step with it, never after those of a newer write.
    /// </summary>
    public async Task InStepAsync(Func<T?, Task> work)
    {
        await _writer.WaitAsync();
        try
        {
            await work(Current);
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>Writes the current record again as it is (a document stored before its layout changed); nothing when there is none.</summary>
    public async Task RewriteAsync()
    {
        await _writer.WaitAsync();
        try
        {
            if (Current is { } current)
            {
                await collection.UpsertAsync(id, write is null ? DocumentJson.ToJson(current) : write(current), CancellationToken.None);
            }
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>Writes <paramref name="record"/> only where none is stored yet (false, and nothing assigned, when one is): the first writer of a new record wins.</summary>
    public async Task<bool> InsertAsync(T record)
    {
        await _writer.WaitAsync();
        try
        {
            if (!await collection.InsertAsync(id, write is null ? DocumentJson.ToJson(record) : write(record), CancellationToken.None))
            {
                return false;
            }

            Current = record;
            return true;
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>Deletes the record; idempotent.</summary>
    public async Task DeleteAsync()
    {
        await _writer.WaitAsync();
        try
        {
            await collection.DeleteAsync(id, CancellationToken.None);
            Current = null;
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>
    /// <see cref="RelayAsync"/>, with a failure reported to <paramref name="failed"/> (the exception, the
    /// events still waiting) instead of thrown: the events stay in the record for the next write, activation or tick.
    /// </summary>
    public async Task TryRelayAsync(IGrainFactory grains, IDocumentDatabase database, DateTimeOffset now, Action<Exception, int> failed)
    {
        try
        {
            await RelayAsync(grains, database, now);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            failed(exception, Pending);
        }
    }

    /// <summary>Hands the announced events not yet handed over to the tenant's endpoints; throws when that fails (they stay for the next try).</summary>
    public async Task<int> RelayAsync(IGrainFactory grains, IDocumentDatabase database, DateTimeOffset now)
    {
        var pending = OutboxOf(Current)?.Where(e => !_relayed.Contains(e.Id)).ToList() ?? [];
        if (pending.Count == 0)
        {
            return 0;
        }

        await WebhookOutbox.RelayAsync(grains, database, pending, now);
        _relayed.UnionWith(pending.Select(e => e.Id));
        return pending.Count;
    }
}
