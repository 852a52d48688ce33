using OrleansSocial.Storage.Documents;

namespace OrleansSocial.Storage.Placement;

/// <summary>
/// One database server (or MongoDB deployment) that tenant databases are placed on. The weight
/// is its share of new tenants: a server of weight 2 is given twice the tenants of one of weight 1;
/// weight 0 takes no new tenants (a server being drained). <see cref="Store"/> keeps a database per
/// tenant; <see cref="Schemas"/>, when the engine offers it, a schema per tenant in shared databases
/// of the same server.
/// </summary>
public sealed record DatabaseServer(string Name, int Weight, IDocumentStore Store, IDocumentStore? Schemas = null)
{
    public bool Offers(string isolation) => isolation == Isolations.Database || (isolation == Isolations.Schema && Schemas is not null);

    /// <summary>The store of a tier on this server.</summary>
    public IDocumentStore StoreFor(string isolation) => isolation == Isolations.Schema
        ? Schemas ?? throw new InvalidOperationException($"Server '{Name}' offers no '{Isolations.Schema}' isolation.")
        : Store;
}
