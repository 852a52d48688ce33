using OrleansSocial.Storage.Placement;

namespace OrleansSocial.Storage.Hosting;

/// <summary>
/// What a tenant-store engine provider (<c>Add&lt;Engine&gt;TenantStore</c>) registers: how to make one
/// database server of its kind, with every isolation tier the engine offers there. The host only
/// chooses an engine and lists servers by name and weight; what a location means (a connection
/// string, a folder) and which tiers exist is the engine's own knowledge.
/// </summary>
public interface ITenantStoreEngine
{
    /// <summary>"sqlite", "postgres" or "mongo".</summary>
    string Name { get; }

    /// <summary>Where the main server (the one holding the catalog) is, from the engine's own options.</summary>
    string MainLocation { get; }

    /// <summary>A server at <paramref name="location"/>: its store per tenant database and, where the engine has it, its schema tier.</summary>
    DatabaseServer Server(string name, int weight, string location);
}
