using System.Collections.Concurrent;
using System.Text.Json;
using OrleansSocial.Storage.Documents;

namespace OrleansSocial.Storage.Placement;

/// <summary>
/// The catalog's <c>placements</c> collection, with a per-process cache: a database's server is
/// read from the catalog once, then again only when an operation on it fails (it may have moved).
/// A database with no record lives on the primary server (databases created before placement existed).
/// The cache holds at most <c>capacity</c> records; past that, some are dropped and read again when
/// next used (a silo serving a million tenants would otherwise keep a record for each forever).
/// </summary>
internal sealed class PlacementDirectory(IDocumentDatabase catalog, string primary, int capacity = PlacementDirectory.DefaultCapacity)
{
    public const string Collection = "placements";

    public const int DefaultCapacity = 100_000;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly ConcurrentDictionary<string, PlacementRecord> _cache = new();

    /// <summary>About how many records are cached: counted on add and remove (ConcurrentDictionary.Count takes every lock).</summary>
    private int _cached;

    public int Cached => Volatile.Read(ref _cached);

    private IDocumentCollection Placements => catalog.GetCollection(Collection);

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await Placements.EnsureIndexAsync(new IndexDefinition("server", [new IndexField("server", FieldKind.String)]), cancellationToken);
        await Placements.EnsureIndexAsync(new IndexDefinition("move_phase", [new IndexField("movePhase", FieldKind.String)]), cancellationToken);
    }

    public ValueTask<PlacementRecord> ResolveAsync(string database, CancellationToken cancellationToken) =>
        _cache.TryGetValue(database, out var known) ? ValueTask.FromResult(known) : new ValueTask<PlacementRecord>(RefreshAsync(database, cancellationToken));

    /// <summary>What the catalog says now, remembered.</summary>
    public async Task<PlacementRecord> RefreshAsync(string database, CancellationToken cancellationToken)
    {
        var stored = await Placements.GetAsync(database, cancellationToken);
        var record = stored is { } json ? Read(json) : new PlacementRecord(database, primary);
        Remember(record);
        return record;
    }

    public async Task<PlacementRecord?> FindAsync(string database, CancellationToken cancellationToken) =>
        await Placements.GetAsync(database, cancellationToken) is { } json ? Read(json) : null;

    public async Task SaveAsync(PlacementRecord record, CancellationToken cancellationToken)
    {
        await Placements.UpsertAsync(record.Database, JsonSerializer.SerializeToElement(record, Json), cancellationToken);
        Remember(record);
    }

    /// <summary>
    /// Records where a new database goes unless a placement is recorded already (an earlier attempt's
    /// that died): the recorded one wins and is answered. One round trip when none is.
    /// </summary>
    public async Task<PlacementRecord> PlaceAsync(PlacementRecord record, CancellationToken cancellationToken)
    {
        if (!await Placements.InsertAsync(record.Database, JsonSerializer.SerializeToElement(record, Json), cancellationToken))
        {
            record = await FindAsync(record.Database, cancellationToken)
                ?? throw new InvalidOperationException($"The placement of '{record.Database}' was deleted while it was being placed.");
        }

        Remember(record);
        return record;
    }

    public async Task DeleteAsync(string database, CancellationToken cancellationToken)
    {
        await Placements.DeleteAsync(database, cancellationToken);
        if (_cache.TryRemove(database, out _))
        {
            Interlocked.Decrement(ref _cached);
        }
    }

    private void Remember(PlacementRecord record)
    {
        if (!_cache.TryAdd(record.Database, record))
        {
            _cache[record.Database] = record;
            return;
        }

        if (Interlocked.Increment(ref _cached) > Math.Max(1, capacity))
        {
            // Drop a tenth (whichever come first): each costs one catalog read when next used.
            var excess = Cached - Math.Max(1, capacity * 9 / 10);
            foreach (var database in _cache.Keys.Take(Math.Max(1, excess)))
            {
                if (database != record.Database && _cache.TryRemove(database, out _))
                {
                    Interlocked.Decrement(ref _cached);
                }
            }
        }
    }

    public Task<long> CountAsync(string server, CancellationToken cancellationToken) =>
        Placements.CountAsync([FieldFilter.Eq("server", server)], cancellationToken);

    /// <summary>Moves a crash interrupted, in either phase.</summary>
    public async IAsyncEnumerable<PlacementRecord> UnfinishedMovesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var phase in new[] { PlacementRecord.Copying, PlacementRecord.Switched })
        {
            await foreach (var stored in Placements.QueryAllAsync([FieldFilter.Eq("movePhase", phase)], cancellationToken))
            {
                yield return Read(stored.Body);
            }
        }
    }

    private static PlacementRecord Read(JsonElement json) =>
        json.Deserialize<PlacementRecord>(Json) is { Database: not null, Server: not null } record
            ? record
            : throw new InvalidOperationException("A placement record in the catalog has no database or server.");
}
