using System.Collections.Concurrent;
using OrleansSocial.Storage.Documents;

namespace OrleansSocial.Storage.Placement;

/// <summary>
/// The tenant store over several database servers of one engine. The catalog lives on the
/// first (primary) server and records, per database, which server holds it; every database
/// handle resolves its server per operation, so a moved database is followed without anyone
/// holding a stale handle. With one server configured this is that server plus a record per database.
/// </summary>
public sealed class PlacedDocumentStore : IDocumentStore, IAsyncDisposable
{
    private readonly Dictionary<string, DatabaseServer> _byName;
    private readonly ConcurrentDictionary<string, PlacedDatabase> _databases = new();

    /// <param name="placementCacheCapacity">How many databases' placements a process keeps in memory.</param>
    public PlacedDocumentStore(IReadOnlyList<DatabaseServer> servers, int placementCacheCapacity = PlacementDirectory.DefaultCapacity)
    {
        if (servers.Count == 0)
        {
            throw new ArgumentException("At least one database server is needed.", nameof(servers));
        }

        if (servers.Select(s => s.Store.Engine).Distinct().Count() > 1)
        {
            throw new ArgumentException("Every database server must run the same engine.", nameof(servers));
        }

        Servers = servers;
        Isolations = [.. Placement.Isolations.All.Where(i => servers.Any(s => s.Offers(i)))];
        _byName = servers.ToDictionary(s => s.Name, StringComparer.Ordinal);
        Primary = servers[0];
        Directory = new PlacementDirectory(Primary.Store.Catalog, Primary.Name, placementCacheCapacity);
        Catalog = new BusyGuardedDatabase(Primary.Store.Catalog, this, BusyRetryAfter);
    }

    public IReadOnlyList<DatabaseServer> Servers { get; }

    /// <summary>Holds the catalog, and every database that has no placement record.</summary>
    public DatabaseServer Primary { get; }

    public string Engine => Primary.Store.Engine;

    public IDocumentDatabase Catalog { get; }

    /// <summary>How long a client should wait before writing again to a database that is moving.</summary>
    public TimeSpan MoveRetryAfter { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a client should wait after its database had no capacity for it.</summary>
    public TimeSpan BusyRetryAfter { get; } = TimeSpan.FromSeconds(2);

    internal PlacementDirectory Directory { get; }

    public DatabaseServer Server(string name) =>
        _byName.TryGetValue(name, out var server) ? server : throw new UnknownServerException(name);

    /// <summary>The store holding the copy at <paramref name="location"/>.</summary>
    public IDocumentStore StoreAt(DatabaseLocation location) => Server(location.Server).StoreFor(location.Isolation);

    /// <summary>The tiers some server offers (every server offers <see cref="Placement.Isolations.Database"/>).</summary>
    public IReadOnlyCollection<string> Isolations { get; }

    public bool HasServer(string name) => _byName.ContainsKey(name);

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await Primary.Store.InitializeAsync(cancellationToken);
        await Directory.InitializeAsync(cancellationToken);
    }

    /// <summary>Where a database lives now, read from the catalog (not this process's cache).</summary>
    public Task<PlacementRecord> LocateAsync(string database, CancellationToken cancellationToken) =>
        Directory.RefreshAsync(database, cancellationToken);

    /// <summary>Moves a crash interrupted, in either phase.</summary>
    public IAsyncEnumerable<PlacementRecord> UnfinishedMovesAsync(CancellationToken cancellationToken) =>
        Directory.UnfinishedMovesAsync(cancellationToken);

    /// <summary>How many databases each server holds (by their placement records).</summary>
    public async Task<IReadOnlyDictionary<string, long>> CountsAsync(CancellationToken cancellationToken)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var server in Servers)
        {
            counts[server.Name] = await Directory.CountAsync(server.Name, cancellationToken);
        }

        return counts;
    }

    public async Task<bool> DatabaseExistsAsync(string name, CancellationToken cancellationToken)
    {
        var placement = await Directory.RefreshAsync(name, cancellationToken);
        return await StoreAt(placement.Location).DatabaseExistsAsync(name, cancellationToken);
    }

    public Task CreateDatabaseAsync(string name, CancellationToken cancellationToken) => CreateDatabaseAsync(name, Placement.Isolations.Database, [], cancellationToken);

    public Task CreateDatabaseAsync(string name, string isolation, CancellationToken cancellationToken) => CreateDatabaseAsync(name, isolation, [], cancellationToken);

    public Task CreateDatabaseAsync(string name, IReadOnlyList<FirstDocument> documents, CancellationToken cancellationToken) =>
        CreateDatabaseAsync(name, Placement.Isolations.Database, documents, cancellationToken);

    /// <summary>
    /// Places the database (the server with the most room for its weight, among those offering the
    /// tier), records the placement, then creates it there with its first documents. A placement recorded
    /// by an earlier attempt that died is reused, so the database is never created in two places.
    /// </summary>
    public async Task CreateDatabaseAsync(string name, string isolation, IReadOnlyList<FirstDocument> documents, CancellationToken cancellationToken)
    {
        var offering = Servers.Where(s => s.Offers(isolation)).ToList();
        // With one server to choose, no need to look first: the insert answers an earlier attempt's placement.
        var placement = offering.Count == 1
            ? await Directory.PlaceAsync(PlacementRecord.At(name, new DatabaseLocation(offering[0].Name, isolation)), cancellationToken)
            : await Directory.FindAsync(name, cancellationToken);
        if (placement is null)
        {
            if (offering.Count == 0)
            {
                throw new IsolationNotOfferedException(isolation, Engine);
            }

            var server = ServerChoice.Choose(offering, await CountsAsync(cancellationToken));
            placement = await Directory.PlaceAsync(PlacementRecord.At(name, new DatabaseLocation(server.Name, isolation)), cancellationToken);
        }

        await StoreAt(placement.Location).CreateDatabaseAsync(name, documents, cancellationToken);
    }

    /// <summary>Drops the database wherever a copy of it may be (a move's other side too), then forgets its placement.</summary>
    public async Task DropDatabaseAsync(string name, CancellationToken cancellationToken)
    {
        var placement = await Directory.RefreshAsync(name, cancellationToken);
        foreach (var location in new[] { placement.Location, placement.From, placement.To }.OfType<DatabaseLocation>().Distinct())
        {
            if (HasServer(location.Server) && Server(location.Server).Offers(location.Isolation))
            {
                await StoreAt(location).DropDatabaseAsync(name, cancellationToken);
            }
        }

        await Directory.DeleteAsync(name, cancellationToken);
    }

    public IDocumentDatabase GetDatabase(string name) => _databases.GetOrAdd(Naming.StorageNames.Database(name), n => new PlacedDatabase(this, n));

    public bool IsBusy(Exception exception) => Primary.Store.IsBusy(exception);

    /// <summary>
    /// The catalog's server only: readiness is about what every request needs. A secondary server that
    /// is down fails only its own tenants (503 + Retry-After); its state shows in <see cref="HealthAsync"/>.
    /// </summary>
    public Task PingAsync(CancellationToken cancellationToken) => Primary.Store.PingAsync(cancellationToken);

    /// <summary>Each server's answer to a ping within <paramref name="timeout"/>: null when it answers, else why not (no address or credential in it).</summary>
    public async Task<IReadOnlyDictionary<string, string?>> HealthAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var checks = Servers.Select(async server =>
        {
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bound.CancelAfter(timeout);
            try
            {
                await server.Store.PingAsync(bound.Token);
                return (server.Name, (string?)null);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return (server.Name, $"no answer within {timeout.TotalSeconds:0} s");
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                return (server.Name, $"does not answer ({exception.GetType().Name})");
            }
        });
        return (await Task.WhenAll(checks)).ToDictionary(c => c.Item1, c => c.Item2);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in Servers)
        {
            if (server.Store is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync();
            }
        }
    }
}

/// <summary>No configured server keeps tenants in that tier (SQLite and MongoDB offer only a database per tenant).</summary>
public sealed class IsolationNotOfferedException(string isolation, string engine)
    : InvalidOperationException($"The {engine} tenant store offers no '{isolation}' isolation.")
{
    public string Isolation { get; } = isolation;
}

public sealed class UnknownServerException(string server)
    : InvalidOperationException($"No database server is configured under the name '{server}'.")
{
    public string ServerName { get; } = server;
}
