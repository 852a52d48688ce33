using System.Text.RegularExpressions;

namespace OrleansSocial.Storage.Naming;

/// <summary>
/// Names that reach an engine as identifiers (database, table, collection, field). They are
/// checked against a strict pattern here, once, so no engine ever splices caller text into SQL,
/// a file path or a MongoDB namespace.
/// </summary>
public static partial class StorageNames
{
    public const string CatalogDatabase = "orleans_social_catalog";

    public const string TenantDatabasePrefix = "tenant_";

    /// <summary>
    /// <c>acme-co</c> becomes <c>tenant_acme_co</c>. Injective because tenant ids never hold
    /// '_', and within every engine's limits (63 bytes in PostgreSQL, 64 in MongoDB) because
    /// tenant ids are at most 40 characters.
    /// </summary>
    public static string TenantDatabase(string tenantId)
    {
        if (!TenantIdPattern().IsMatch(tenantId))
        {
            throw new ArgumentException($"'{tenantId}' is not a valid tenant id.", nameof(tenantId));
        }

        return TenantDatabasePrefix + tenantId.Replace('-', '_');
    }

    /// <summary>The tenant a database belongs to (<c>tenant_acme_co</c> is <c>acme-co</c>); null for any other database.</summary>
    public static string? TenantIdOf(string database) =>
        database.StartsWith(TenantDatabasePrefix, StringComparison.Ordinal)
        && database[TenantDatabasePrefix.Length..].Replace('_', '-') is var id && TenantIdPattern().IsMatch(id)
            ? id
            : null;

    public static string Database(string name) =>
        DatabasePattern().IsMatch(name) ? name : throw new ArgumentException($"'{name}' is not a valid database name.", nameof(name));

    public static string Collection(string name) =>
        CollectionPattern().IsMatch(name) ? name : throw new ArgumentException($"'{name}' is not a valid collection name.", nameof(name));

    public static string Field(string name) =>
        FieldPattern().IsMatch(name) ? name : throw new ArgumentException($"'{name}' is not a valid field name.", nameof(name));

    /// <summary>The tenant id pattern of the REST contract: 3-40 of a-z, 0-9 and '-', starting with a letter or digit.</summary>
    [GeneratedRegex(@"\A[a-z0-9][a-z0-9-]{2,39}\z", RegexOptions.CultureInvariant)]
    public static partial Regex TenantIdPattern();

    [GeneratedRegex(@"\A[a-z][a-z0-9_]{0,62}\z", RegexOptions.CultureInvariant)]
    private static partial Regex DatabasePattern();

    [GeneratedRegex(@"\A[a-z][a-z0-9_]{0,47}\z", RegexOptions.CultureInvariant)]
    private static partial Regex CollectionPattern();

    [GeneratedRegex(@"\A[A-Za-z][A-Za-z0-9]{0,62}\z", RegexOptions.CultureInvariant)]
    private static partial Regex FieldPattern();
}
