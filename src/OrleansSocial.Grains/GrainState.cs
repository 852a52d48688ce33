namespace OrleansSocial.Grains;

/// <summary>
/// The Orleans grain storage provider for state that belongs to no tenant (SQLite embedded, PostgreSQL
/// or MongoDB in a cluster). A tenant's own data never goes there: it lives in the tenant's database.
/// </summary>
public static class GrainState
{
    public const string Storage = "state";
}
