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

public sealed record MoveOutcome(string Database, string From, string To, long Documents, TimeSpan ReadOnlyFor);

/// <summary>
/// Moves one database to another server: mark, freeze, copy, verify, switch, drop. The catalog's
/// placement record is the only thing that says which copy counts, and it changes in one write
/// (the switch), so a process that dies anywhere leaves exactly one authoritative copy:
/// before the switch the old one (the move is undone: partial copy dropped, old copy writable),
/// after it the new one (the old copy is dropped). <see cref="RecoverAsync"/> does that, at start (for every unfinished move) and before any new move.
/// </summary>
public sealed class DatabaseMove(PlacedDocumentStore store, IReadOnlyCollection<string> collections, TimeProvider time)
{
    /// <param name="progress">Told after each step (logging; the crash tests stop a move there).</param>
    public async Task<MoveOutcome> RunAsync(string database, string to, Func<MoveStep, Task>? progress, CancellationToken cancellationToken)
    {
        progress ??= _ => Task.CompletedTask;
        var placement = await store.LocateAsync(database, cancellationToken);
        if (placement.Moving)
        {
            placement = await RecoverAsync(placement, cancellationToken);
        }

        var from = placement.Server;
        if (!store.HasServer(to))
        {
            throw new MoveRefusedException($"No database server is configured under the name '{to}'.");
        }

        if (from == to)
        {
            throw new MoveRefusedException($"The database is already on '{to}'.");
        }

        var source = Moves(from);
        var target = Moves(to);
        if (!await store.Server(from).Store.DatabaseExistsAsync(database, cancellationToken))
        {
            throw new MoveRefusedException($"Database '{database}' does not exist on '{from}'.");
        }

        // Before anything is frozen: a target that is down or refuses us fails the move with the tenant untouched.
        await target.CheckTargetAsync(cancellationToken);

        var started = time.GetUtcNow();
        var copying = new PlacementRecord(database, from, from, to, PlacementRecord.Copying, started);
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
            await store.Server(to).Store.DropDatabaseAsync(database, bound.Token);
            await store.Server(to).Store.CreateDatabaseAsync(database, bound.Token);
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

        var switched = new PlacementRecord(database, to, from, to, PlacementRecord.Switched, started);
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
    /// and the next move to that server drops it before it creates its own (the catalog never named it).
    /// </summary>
    private async Task<PlacementRecord> UndoAsync(PlacementRecord placement, CancellationToken cancellationToken)
    {
        if (store.Server(placement.Server).Store is IDatabaseMoves moves)
        {
            await moves.ThawAsync(placement.Database, cancellationToken);
        }

        var settled = placement.Settled(placement.Server);
        await store.Directory.SaveAsync(settled, cancellationToken);
        if (placement.MoveTo is { } to && to != placement.Server && store.HasServer(to))
        {
            try
            {
                using var dropBound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                dropBound.CancelAfter(TimeSpan.FromSeconds(30));
                await store.Server(to).Store.DropDatabaseAsync(placement.Database, dropBound.Token);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // Not data (the catalog never named it): the next move to that server drops it before creating its own.
            }
        }

        return settled;
    }

    /// <summary>The longest a tenant stays read-only in a move (freeze to switch) before the move is undone.</summary>
    public TimeSpan ReadOnlyBound { get; init; } = TimeSpan.FromMinutes(5);

    private async Task<PlacementRecord> FinishAsync(PlacementRecord placement, CancellationToken cancellationToken)
    {
        if (placement.MoveFrom is { } from && from != placement.Server && store.HasServer(from))
        {
            await store.Server(from).Store.DropDatabaseAsync(placement.Database, cancellationToken);
        }

        var settled = placement.Settled(placement.Server);
        await store.Directory.SaveAsync(settled, cancellationToken);
        return settled;
    }

    private IDatabaseMoves Moves(string server) => store.Server(server).Store as IDatabaseMoves
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
