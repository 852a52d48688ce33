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
    DateTimeOffset? MoveStartedAt = null)
{
    /// <summary>Writes are refused on <see cref="MoveFrom"/> (still authoritative) while it is copied to <see cref="MoveTo"/>.</summary>
    public const string Copying = "copying";

    /// <summary><see cref="Server"/> is the new copy; the old one on <see cref="MoveFrom"/> is still to be dropped.</summary>
    public const string Switched = "switched";

    public bool Moving => MovePhase is not null;

    public PlacementRecord Settled(string server) => new(Database, server);
}
