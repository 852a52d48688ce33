using MongoDB.Driver;

namespace OrleansSocial.Storage.Mongo;

/// <summary>
/// Client settings from a connection string, with timeouts that fail a call well inside Orleans'
/// 30-second response timeout when a connection string names none: a grain turn waiting on an
/// unreachable server gets an error it can report, instead of hanging past its caller.
/// </summary>
public static class MongoConnection
{
    public static readonly TimeSpan DefaultServerSelectionTimeout = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan DefaultSocketTimeout = TimeSpan.FromSeconds(20);

    public static MongoClientSettings Settings(string connectionString)
    {
        var url = MongoUrl.Create(connectionString);
        var settings = MongoClientSettings.FromUrl(url);
        var given = connectionString.ToLowerInvariant();
        if (!given.Contains("serverselectiontimeoutms", StringComparison.Ordinal))
        {
            settings.ServerSelectionTimeout = DefaultServerSelectionTimeout;
        }

        if (!given.Contains("connecttimeoutms", StringComparison.Ordinal))
        {
            settings.ConnectTimeout = DefaultConnectTimeout;
        }

        if (!given.Contains("sockettimeoutms", StringComparison.Ordinal))
        {
            settings.SocketTimeout = DefaultSocketTimeout;
        }

        return settings;
    }

    public static IMongoClient Client(string connectionString) => new MongoClient(Settings(connectionString));
}
