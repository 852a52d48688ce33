namespace OrleansSocial.Storage.Documents;

/// <summary>
/// A storage engine: one catalog database plus any number of named databases (one per
/// tenant). Small on purpose, so SQLite, PostgreSQL and MongoDB each implement it fully
/// and pass one contract suite.
/// </summary>
public interface IDocumentStore
{
    /// <summary>"sqlite", "postgres" or "mongo".</summary>
    string Engine { get; }

    /// <summary>The catalog ("admin") database; exists once <see cref="InitializeAsync"/> has run.</summary>
    IDocumentDatabase Catalog { get; }

    /// <summary>Creates the catalog database when missing. Idempotent.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    Task<bool> DatabaseExistsAsync(string name, CancellationToken cancellationToken);

    /// <summary>Creates an empty database; throws <see cref="DatabaseAlreadyExistsException"/> if it exists.</summary>
    Task CreateDatabaseAsync(string name, CancellationToken cancellationToken);

    /// <summary>How this store can keep a tenant apart (<see cref="Placement.Isolations"/>): a database of its own, unless it says more.</summary>
    IReadOnlyCollection<string> Isolations => [Placement.Isolations.Database];

    /// <summary>Creates an empty database in the tier asked; a tier the store does not offer is <see cref="Placement.IsolationNotOfferedException"/>.</summary>
    Task CreateDatabaseAsync(string name, string isolation, CancellationToken cancellationToken) => isolation == Placement.Isolations.Database
        ? CreateDatabaseAsync(name, cancellationToken)
        : throw new Placement.IsolationNotOfferedException(isolation, Engine);

    /// <summary>
    /// Creates a database holding <paramref name="documents"/>, or throws and leaves none. An engine that
    /// can do both in one transaction does; otherwise the documents are inserted after the database is
    /// made, and a failed insert drops it again (a process killed in between leaves the database without
    /// all of them: its creator's recovery drops it, as after a kill between two calls).
    /// </summary>
    async Task CreateDatabaseAsync(string name, IReadOnlyList<FirstDocument> documents, CancellationToken cancellationToken)
    {
        await CreateDatabaseAsync(name, cancellationToken);
        await InsertFirstAsync(name, documents, cancellationToken);
    }

    /// <summary><see cref="CreateDatabaseAsync(string, IReadOnlyList{FirstDocument}, CancellationToken)"/> in the tier asked.</summary>
    async Task CreateDatabaseAsync(string name, string isolation, IReadOnlyList<FirstDocument> documents, CancellationToken cancellationToken)
    {
        await CreateDatabaseAsync(name, isolation, cancellationToken);
        await InsertFirstAsync(name, documents, cancellationToken);
    }

    private async Task InsertFirstAsync(string name, IReadOnlyList<FirstDocument> documents, CancellationToken cancellationToken)
    {
        try
        {
            var database = GetDatabase(name);
            foreach (var document in documents)
            {
                if (!await database.GetCollection(document.Collection).InsertAsync(document.Id, document.Body, cancellationToken))
                {
                    throw new InvalidOperationException($"Database '{name}' already held '{document.Collection}/{document.Id}' when it was made.");
                }
            }
        }
        catch
        {
            await DropDatabaseAsync(name, CancellationToken.None);
            throw;
        }
    }

    /// <summary>Drops a database and everything in it; a missing database is not an error.</summary>
    Task DropDatabaseAsync(string name, CancellationToken cancellationToken);

    /// <summary>A handle on an existing database. Never creates one: operations on a missing database fail.</summary>
    IDocumentDatabase GetDatabase(string name);

    /// <summary>Answers when the engine is reachable (readiness).</summary>
    Task PingAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Whether the engine failed for want of capacity right now (its connection pool exhausted, the
    /// server out of connections, a busy timeout) rather than because of the request: the same
    /// operation a moment later may succeed, so callers answer 503 with a wait instead of 500.
    /// </summary>
    bool IsBusy(Exception exception) => false;

    /// <summary>
    /// Whether the engine refused a write because the database is read-only for a move (a frozen
    /// database, <see cref="Placement.IDatabaseMoves.FreezeAsync"/>): the write was not done and may be
    /// repeated once the move is over.
    /// </summary>
    bool IsReadOnly(Exception exception) => false;
}

public interface IDocumentDatabase
{
    string Name { get; }

    IDocumentCollection GetCollection(string name);
}
