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
/// </summary>
public sealed class TenantRecord<T>(IDocumentCollection collection, string id, Func<JsonElement, T?> read) where T : class, IAnnouncingRecord<T>
{
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly HashSet<string> _relayed = new(StringComparer.Ordinal);

    public T? Current { get; private set; }

    /// <summary>Reads the stored record; false when there is none. A stored record <paramref name="read"/> refuses leaves <see cref="Current"/> null.</summary>
    public async Task<bool> LoadAsync(CancellationToken cancellationToken)
    {
        if (await collection.GetAsync(id, cancellationToken) is not { } stored)
        {
            return false;
        }

        Current = read(stored);
        return true;
    }

    /// <summary>Compute from the latest, write, assign; a change that returns null (or the same record) writes nothing.</summary>
    public async Task<T?> UpdateAsync(Func<T?, T?> change)
    {
        await _writer.WaitAsync();
        try
        {
            if (change(Current) is not { } changed || ReferenceEquals(changed, Current))
            {
                return Current;
            }

            var next = changed.Outbox is { Count: > 0 } outbox && outbox.Any(e => _relayed.Contains(e.Id))
                ? changed.WithOutbox([.. outbox.Where(e => !_relayed.Contains(e.Id))])
                : changed;
            await collection.UpsertAsync(id, DocumentJson.ToJson(next), CancellationToken.None);
            Current = next;
            return next;
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
            failed(exception, Current?.Outbox?.Count(e => !_relayed.Contains(e.Id)) ?? 0);
        }
    }

    /// <summary>Hands the announced events not yet handed over to the tenant's endpoints; throws when that fails (they stay for the next try).</summary>
    public async Task<int> RelayAsync(IGrainFactory grains, IDocumentDatabase database, DateTimeOffset now)
    {
        var pending = Current?.Outbox?.Where(e => !_relayed.Contains(e.Id)).ToList() ?? [];
        if (pending.Count == 0)
        {
            return 0;
        }

        await WebhookOutbox.RelayAsync(grains, database, pending, now);
        _relayed.UnionWith(pending.Select(e => e.Id));
        return pending.Count;
    }
}
