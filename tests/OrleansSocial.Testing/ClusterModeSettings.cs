namespace OrleansSocial.Testing;

/// <summary>
/// The settings a silo process needs for cluster mode on this machine, as the README's cluster
/// section gives them: Orleans and the tenant databases on one throwaway PostgreSQL, one Graph
/// backend, the same operator key and token keys on every silo. Membership and reminders as shipped.
/// </summary>
public static class ClusterModeSettings
{
    public static Dictionary<string, string> For(
        PostgresServer postgres, string clusterId, string operatorKey, Uri graphBaseUrl, string appId, string appSecret, IReadOnlyDictionary<string, string>? extra = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["Operator:ApiKey"] = operatorKey,
            ["Secrets:TokenKeys"] = "k1:" + Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray()),
            ["Orleans:Mode"] = "postgres",
            ["Orleans:Postgres"] = postgres.ConnectionStringFor("orleans_cluster"),
            ["Orleans:ClusterId"] = clusterId,
            ["Orleans:AdvertisedAddress"] = "127.0.0.1",
            ["Storage:Engine"] = "postgres",
            ["Storage:Postgres"] = postgres.ConnectionStringFor("social_catalog"),
            ["Graph:BaseUrl"] = graphBaseUrl.ToString().TrimEnd('/'),
            ["Graph:AppId"] = appId,
            ["Graph:AppSecret"] = appSecret,
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        return settings;
    }
}
