namespace OrleansSocial.Storage.Placement;

/// <summary>
/// How a tenant's data is kept apart on its server: <see cref="Database"/>, a database of its own
/// (every engine); <see cref="Schema"/>, a schema of its own in a database shared with other tenants
/// (engines that offer it: PostgreSQL), so one connection pool serves many tenants.
/// </summary>
public static class Isolations
{
    public const string Database = "database";
    public const string Schema = "schema";

    public static readonly IReadOnlyList<string> All = [Database, Schema];

    /// <summary>Placement records written before tiers existed carry none: a database of its own.</summary>
    public static string Of(string? stored) => stored == Schema ? Schema : Database;

    /// <summary>As a placement record stores it: nothing for the original tier, so older records read the same.</summary>
    public static string? Stored(string isolation) => isolation == Database ? null : isolation;
}

/// <summary>Where a tenant's data is: a server and the tier on it.</summary>
public sealed record DatabaseLocation(string Server, string Isolation)
{
    public override string ToString() => Isolation == Isolations.Database ? Server : $"{Server} ({Isolation})";
}
