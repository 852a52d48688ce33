namespace OrleansSocial.Storage.Placement;

/// <summary>Which server a new database goes to: the one with the most room for its weight.</summary>
public static class ServerChoice
{
    /// <summary>
    /// The server whose share after one more database, <c>(count + 1) / weight</c>, is smallest;
    /// ties go to the server listed first. Servers of weight 0 are never chosen.
    /// </summary>
    public static DatabaseServer Choose(IReadOnlyList<DatabaseServer> servers, IReadOnlyDictionary<string, long> databases)
    {
        DatabaseServer? best = null;
        var bestShare = double.MaxValue;
        foreach (var server in servers)
        {
            if (server.Weight <= 0)
            {
                continue;
            }

            var share = (databases.GetValueOrDefault(server.Name) + 1) / (double)server.Weight;
            if (share < bestShare)
            {
                (best, bestShare) = (server, share);
            }
        }

        return best ?? throw new InvalidOperationException("No database server takes new databases: every configured weight is 0.");
    }
}
