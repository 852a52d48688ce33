namespace OrleansSocial.Storage.Documents;

public sealed class DatabaseAlreadyExistsException(string database)
    : InvalidOperationException($"Database '{database}' already exists.")
{
    public string Database { get; } = database;
}

public sealed class DatabaseNotFoundException(string database)
    : InvalidOperationException($"Database '{database}' does not exist.")
{
    public string Database { get; } = database;
}

/// <summary>A paging cursor that this store did not issue, or that was altered.</summary>
public sealed class InvalidCursorException() : ArgumentException("The cursor is not valid.", "cursor");

/// <summary>
/// The engine's user may not do what the store needs (a MongoDB role without <c>dropDatabase</c>,
/// say): a deployment to fix, named precisely, not a failure of the request.
/// </summary>
public sealed class StoragePrivilegeException(string privilege, string database, Exception inner)
    : InvalidOperationException($"The database user lacks the '{privilege}' privilege on '{database}'.", inner)
{
    public string Privilege { get; } = privilege;

    public string Database { get; } = database;
}

/// <summary>
/// The database is read-only for a moment while it moves to another server: the write was not
/// done; the same write after <see cref="RetryAfter"/> goes to wherever the database is then.
/// </summary>
public sealed class TenantMovingException(string database, TimeSpan retryAfter, Exception? inner = null)
    : InvalidOperationException($"Database '{database}' is read-only while it moves to another server; try again shortly.", inner)
{
    public string Database { get; } = database;

    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>
/// The engine had no capacity for the operation right now (see <see cref="IDocumentStore.IsBusy"/>):
/// it was not done; the same operation after <see cref="RetryAfter"/> may succeed.
/// </summary>
public sealed class StorageBusyException(string database, TimeSpan retryAfter, Exception inner)
    : InvalidOperationException($"Database '{database}' is too busy to answer right now; try again shortly.", inner)
{
    public string Database { get; } = database;

    public TimeSpan RetryAfter { get; } = retryAfter;
}
