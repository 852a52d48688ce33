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
