namespace OrleansSocial.Storage.Placement;

/// <summary>
/// What an engine offers so a tenant's data can move between two of its servers or tiers: writes refused
/// from every session (and after a crash, until undone), an exact copy, and a digest to verify it.
/// </summary>
public interface IDatabaseMoves
{
    /// <summary>
    /// From now on every write to the database fails as the engine's read-only refusal
    /// (<see cref="Documents.IDocumentStore.IsReadOnly"/>), from every connection, whoever holds it,
    /// until <see cref="ThawAsync"/> or the database is dropped.
    /// The collections named are created first, so a collection first written during the move
    /// cannot appear unfrozen.
    /// </summary>
    Task FreezeAsync(string database, IReadOnlyCollection<string> collections, CancellationToken cancellationToken);

    /// <summary>
    /// Whether this server can receive a database now: it answers, and its user may create and drop
    /// databases. Throws <see cref="MoveTargetUnusableException"/> saying why not; changes nothing.
    /// </summary>
    Task CheckTargetAsync(CancellationToken cancellationToken);

    /// <summary>Writable again. Idempotent; a missing database is not an error.</summary>
    Task ThawAsync(string database, CancellationToken cancellationToken);

    /// <summary>Copies every collection, its documents and its indexes into the same (existing, empty) database on <paramref name="target"/>.</summary>
    Task CopyAsync(string database, IDatabaseMoves target, CancellationToken cancellationToken);

    /// <summary>Per collection: how many documents and a hash of their ids and bodies in id order.</summary>
    Task<IReadOnlyDictionary<string, CollectionDigest>> DigestAsync(string database, CancellationToken cancellationToken);
}

public sealed record CollectionDigest(long Documents, string Hash);

/// <summary>A move's target server cannot take the database (down, refused the login, lacks a privilege); nothing was changed.</summary>
public sealed class MoveTargetUnusableException(string message, Exception? inner = null) : InvalidOperationException(message, inner);
