namespace OrleansSocial.Storage.Placement;

/// <summary>
/// The catalog's record of where one database lives. <see cref="Server"/> is always the one
/// authoritative copy; while a move is under way the move fields say how far it got, so a process
/// that dies mid-move leaves enough to finish or undo it (<see cref="DatabaseMove"/>).
/// </summary>
public sealed record PlacementRecord(
    string Database,
    string Server,
    string? MoveFrom = null,
    string? MoveTo = null,
    string? MovePhase = null,
    DateTimeOffset? MoveStartedAt = null,
    string? Isolation = null,
    string? MoveFromIsolation = null,
    string? MoveToIsolation = null)
{
    /// <summary>Writes are refused on <see cref="MoveFrom"/> (still authoritative) while it is copied to <see cref="MoveTo"/>.</summary>
    public const string Copying = "copying";

    /// <summary><see cref="Server"/> is the new copy; the old one on <see cref="MoveFrom"/> is still to be dropped.</summary>
    public const string Switched = "switched";

    public bool Moving => MovePhase is not null;

    /// <summary>The authoritative copy: <see cref="Server"/> and the tier on it.</summary>
    public DatabaseLocation Location => new(Server, Isolations.Of(Isolation));

    public DatabaseLocation? From => MoveFrom is null ? null : new(MoveFrom, Isolations.Of(MoveFromIsolation));

    public DatabaseLocation? To => MoveTo is null ? null : new(MoveTo, Isolations.Of(MoveToIsolation));

    public static PlacementRecord At(string database, DatabaseLocation location) => new(database, location.Server, Isolation: Isolations.Stored(location.Isolation));

    /// <summary>No move under way: only where the copy is.</summary>
    public PlacementRecord Settled() => At(Database, Location);
}
