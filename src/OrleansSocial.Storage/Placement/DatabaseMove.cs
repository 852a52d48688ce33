namespace OrleansSocial.Storage.Placement;

public enum MoveStep
{
    /// <summary>The catalog says the move started (the old server is still authoritative).</summary>
    Marked,

    /// <summary>The old copy refuses writes.</summary>
    Frozen,

    TargetCreated,

    Copied,

    Verified,

    /// <summary>The catalog names the new server: the move has happened.</summary>
    Switched,

    OldCopyDropped,
}

public sealed record MoveOutcome(string Database, DatabaseLocation From, DatabaseLocation To, long Documents, TimeSpan ReadOnlyFor);

/// <summary>
/// Moves one database to another server: mark, freeze, copy, verify, switch, drop. The catalog's
/// placement record is the only thing that says which copy counts, and it changes in one write
/// (the switch), so a process that dies anywhere leaves exactly one authoritative copy:
/// before the switch the old one (the move is undone: partial copy dropped, old copy writable),
/// after it the new one (the old copy is dropped). <see cref="RecoverAsync"/> does that, at start (for every unfinished move) and before any new move.
/// </summary>
public sealed class DatabaseMove(PlacedDocumentStore store, IReadOnlyCollection<string> collections, TimeProvider time)
{
    /// <summary>Moves the database to another server (same tier).</summary>
    public async Task<MoveOutcome> RunAsync(string database, string to, Func<MoveStep, Task>? progress, CancellationToken cancellationToken)
    {
        var placement = await store.LocateAsync(database, cancellationToken);
        return await RunAsync(database, new DatabaseLocation(to, placement.Location.Isolation), progress, cancellationToken);
    }

    /// <summary>Moves the database to another server, another tier, or both.</summary>
    /// <param name="progress">Told after each step (logging; the crash tests stop a move there).</param>
    public async Task<MoveOutcome> RunAsync(string database, DatabaseLocation to, Func<MoveStep, Task>? progress, CancellationToken cancellationToken)
    {
        progress ??= _ => Task.CompletedTask;
        var placement = await store.LocateAsync(database, cancellationToken);
        if (placement.Moving)
        {
            placement = await RecoverAsync(placement, cancellationToken);
        }

        var from = placement.Location;
        if (!store.HasServer(to.Server))
        {
            throw new MoveRefusedException($"No database server is configured under the name '{to.Server}'.");
        }

        if (!store.Server(to.Server).Offers(to.Isolation))
        {
            throw new MoveRefusedException($"Server '{to.Server}' offers no '{to.Isolation}' isolation.");
        }

        if (from == to)
        {
            throw new MoveRefusedException($"The database is already on '{to}'.");
        }

        var source = Moves(from);
        var target = Moves(to);
        if (!await store.StoreAt(from).DatabaseExistsAsync(database, cancellationToken))
        {
            throw new MoveRefusedException($"Database '{database}' does not exist on '{from}'.");
        }

        // Before anything is frozen: a target that is down or refuses us fails the move with the tenant untouched.
        await target.CheckTargetAsync(cancellationToken);

        var started = time.GetUtcNow();
        var copying = placement.Settled() with
        {
            MoveFrom = from.Server, MoveFromIsolation = Isolations.Stored(from.Isolation),
            MoveTo = to.Server, MoveToIsolation = Isolations.Stored(to.Isolation),
            MovePhase = PlacementRecord.Copying, MoveStartedAt = started,
        };
        await store.Directory.SaveAsync(copying, cancellationToken);
        await progress(MoveStep.Marked);
        long documents;
        // The tenant is read-only from the freeze to the switch: never longer than the bound, whatever the servers do.
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(ReadOnlyBound);
        try
        {
            await source.FreezeAsync(database, collections, bound.Token);
            await progress(MoveStep.Frozen);

            // A copy an earlier attempt left there (the catalog never named it) is not data.
            await store.StoreAt(to).DropDatabaseAsync(database, bound.Token);
            await store.StoreAt(to).CreateDatabaseAsync(database, bound.Token);
            await progress(MoveStep.TargetCreated);

            await source.CopyAsync(database, target, bound.Token);
            await progress(MoveStep.Copied);

            documents = Verify(database, await source.DigestAsync(database, bound.Token), await target.DigestAsync(database, bound.Token));
            await progress(MoveStep.Verified);
        }
        catch (Exception exception)
        {
            // Nothing was switched: the original stays authoritative, and writable again.
            await UndoAsync(copying, CancellationToken.None);
            if (exception is OperationCanceledException && bound.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new MoveTargetUnusableException($"The copy did not finish within {ReadOnlyBound.TotalSeconds:0} s; the move was undone and the tenant is writable where it was.", exception);
            }

            if (exception is not (MoveVerificationException or MoveRefusedException or MoveTargetUnusableException or OperationCanceledException))
            {
                throw new MoveTargetUnusableException($"The move failed ({exception.GetType().Name}); it was undone and the tenant is writable where it was.", exception);
            }

            throw;
        }

        var switched = copying with { Server = to.Server, Isolation = Isolations.Stored(to.Isolation), MovePhase = PlacementRecord.Switched };
        await store.Directory.SaveAsync(switched, CancellationToken.None);
        await progress(MoveStep.Switched);
        var readOnlyFor = time.GetUtcNow() - started;

        await FinishAsync(switched, CancellationToken.None);
        await progress(MoveStep.OldCopyDropped);
        return new MoveOutcome(database, from, to, documents, readOnlyFor);
    }

    /// <summary>Undoes a move that had not switched, finishes one that had; returns the settled placement.</summary>
    public Task<PlacementRecord> RecoverAsync(PlacementRecord placement, CancellationToken cancellationToken) => placement.MovePhase switch
    {
        PlacementRecord.Copying => UndoAsync(placement, cancellationToken),
        PlacementRecord.Switched => FinishAsync(placement, cancellationToken),
        _ => Task.FromResult(placement),
    };

    /// <summary>
    /// The original first: thawed and named settled, so the tenant is writable whatever the target
    /// does next. The partial copy is dropped best-effort: a target that is down or refuses keeps it,
    /// and the next move there drops it before it creates its own (the catalog never named it).
    /// </summary>
    private async Task<PlacementRecord> UndoAsync(PlacementRecord placement, CancellationToken cancellationToken)
    {
        if (store.StoreAt(placement.Location) is IDatabaseMoves moves)
        {
            await moves.ThawAsync(placement.Database, cancellationToken);
        }

        var settled = placement.Settled();
        await store.Directory.SaveAsync(settled, cancellationToken);
        if (placement.To is { } to && to != placement.Location && store.HasServer(to.Server) && store.Server(to.Server).Offers(to.Isolation))
        {
            try
            {
                using var dropBound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                dropBound.CancelAfter(TimeSpan.FromSeconds(30));
                await store.StoreAt(to).DropDatabaseAsync(placement.Database, dropBound.Token);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // Not data (the catalog never named it): the next move there drops it before creating its own.
            }
        }

        return settled;
    }

    /// <summary>The longest a tenant stays read-only in a move (freeze to switch) before the move is undone.</summary>
    public TimeSpan ReadOnlyBound { get; init; } = TimeSpan.FromMinutes(5);

    private async Task<PlacementRecord> FinishAsync(PlacementRecord placement, CancellationToken cancellationToken)
    {
        if (placement.From is { } from && from != placement.Location && store.HasServer(from.Server) && store.Server(from.Server).Offers(from.Isolation))
        {
            await store.StoreAt(from).DropDatabaseAsync(placement.Database, cancellationToken);
        }

        var settled = placement.Settled();
        await store.Directory.SaveAsync(settled, cancellationToken);
        return settled;
    }

    private IDatabaseMoves Moves(DatabaseLocation location) => store.StoreAt(location) as IDatabaseMoves
        ?? throw new MoveRefusedException($"The {store.Engine} engine cannot move databases between servers (PostgreSQL can).");

    private static long Verify(string database, IReadOnlyDictionary<string, CollectionDigest> expected, IReadOnlyDictionary<string, CollectionDigest> actual)
    {
        foreach (var (collection, digest) in expected)
        {
            if (!actual.TryGetValue(collection, out var copied) || copied != digest)
            {
                throw new MoveVerificationException(database, collection);
            }
        }

        if (actual.Keys.Except(expected.Keys).FirstOrDefault() is { } extra)
        {
            throw new MoveVerificationException(database, extra);
        }

        return expected.Values.Sum(d => d.Documents);
    }
}

/// <summary>A move that cannot start (unknown server, same server, an engine that cannot move); nothing was changed.</summary>
public sealed class MoveRefusedException(string message) : InvalidOperationException(message);

/// <summary>The copy differs from the original: the move was undone, the original is authoritative and writable.</summary>
public sealed class MoveVerificationException(string database, string collection)
    : InvalidOperationException($"The copy of '{database}' differs from the original in collection '{collection}'; the move was undone.");
