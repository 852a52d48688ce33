namespace OrleansSocial.Tenancy;

/// <summary>
/// Each plan's default isolation (<c>Isolation:Plans</c>): <c>schema</c>, a schema of its own in a
/// database shared with other tenants (the many small tenants), or <c>database</c>, a database of its
/// own (enterprise, strict compliance). A store that offers no schema tier gives every tenant a
/// database; an operator may choose either at creation and move a tenant between them later.
/// </summary>
public sealed class IsolationOptions
{
    public const string Section = "Isolation";

    public const string Database = "database";
    public const string Schema = "schema";

    public Dictionary<string, string> Plans { get; set; } = new(StringComparer.Ordinal)
    {
        [Tenancy.Plans.Free] = Schema,
        [Tenancy.Plans.Starter] = Schema,
        [Tenancy.Plans.Pro] = Schema,
        [Tenancy.Plans.Enterprise] = Database,
    };

    /// <summary>The plan's default among the tiers the store offers (a database when the configured one is not offered).</summary>
    public string DefaultFor(string plan, IReadOnlyCollection<string> offered) =>
        Plans.TryGetValue(plan, out var isolation) && offered.Contains(isolation) ? isolation : Database;
}
