using OrleansSocial.Storage.Documents;

namespace OrleansSocial.Storage.Placement;

/// <summary>
/// One database server (or MongoDB deployment) that tenant databases are placed on. The weight
/// is its share of new tenants: a server of weight 2 is given twice the tenants of one of weight 1;
/// weight 0 takes no new tenants (a server being drained).
/// </summary>
public sealed record DatabaseServer(string Name, int Weight, IDocumentStore Store);
