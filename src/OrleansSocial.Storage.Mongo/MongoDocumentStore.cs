using System.Collections.Concurrent;
using MongoDB.Bson;
using MongoDB.Driver;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Naming;

namespace OrleansSocial.Storage.Mongo;

/// <summary>
/// One <see cref="MongoClient"/>, one MongoDB database per tenant. MongoDB creates databases
/// implicitly on first write, so each database holds a marker collection written only by
/// <see cref="CreateDatabaseAsync"/>; handles refuse to work on a database without it.
/// </summary>
public sealed class MongoDocumentStore(IMongoClient client, string catalogDatabase = StorageNames.CatalogDatabase) : IDocumentStore
{
    internal const string MarkerCollection = "store_meta";

    private readonly ConcurrentDictionary<string, bool> _known = new();

    public string Engine => "mongo";

    public IDocumentDatabase Catalog => GetDatabase(catalogDatabase);

    public Task InitializeAsync(CancellationToken cancellationToken) => this.EnsureDatabaseAsync(catalogDatabase, cancellationToken);

    public async Task<bool> DatabaseExistsAsync(string name, CancellationToken cancellationToken)
    {
        var database = client.GetDatabase(StorageNames.Database(name));
        var filter = new BsonDocument("name", MarkerCollection);
        using var names = await database.ListCollectionNamesAsync(new ListCollectionNamesOptions { Filter = filter }, cancellationToken);
        return await names.AnyAsync(cancellationToken);
    }

    public async Task CreateDatabaseAsync(string name, CancellationToken cancellationToken)
    {
        var database = client.GetDatabase(StorageNames.Database(name));
        var marker = database.GetCollection<BsonDocument>(MarkerCollection);
        try
        {
            await marker.InsertOneAsync(new BsonDocument { ["_id"] = "database", ["createdAt"] = DateTime.UtcNow }, cancellationToken: cancellationToken);
        }
        catch (MongoWriteException exception) when (exception.WriteError.Category == ServerErrorCategory.DuplicateKey)
        {
            throw new DatabaseAlreadyExistsException(name);
        }

        _known[name] = true;
    }

    public async Task DropDatabaseAsync(string name, CancellationToken cancellationToken)
    {
        _known.TryRemove(StorageNames.Database(name), out _);
        await client.DropDatabaseAsync(name, cancellationToken);
    }

    public IDocumentDatabase GetDatabase(string name) => new MongoDocumentDatabase(client.GetDatabase(StorageNames.Database(name)), EnsureExistsAsync);

    public async Task PingAsync(CancellationToken cancellationToken) =>
        await client.GetDatabase("admin").RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1), cancellationToken: cancellationToken);

    private async Task EnsureExistsAsync(string name, CancellationToken cancellationToken)
    {
        if (_known.ContainsKey(name))
        {
            return;
        }

        if (!await DatabaseExistsAsync(name, cancellationToken))
        {
            throw new DatabaseNotFoundException(name);
        }

        _known[name] = true;
    }

    private sealed class MongoDocumentDatabase(IMongoDatabase database, Func<string, CancellationToken, Task> ensureExists) : IDocumentDatabase
    {
        public string Name => database.DatabaseNamespace.DatabaseName;

        public IDocumentCollection GetCollection(string name) =>
            new MongoDocumentCollection(database.GetCollection<BsonDocument>(StorageNames.Collection(name)), ct => ensureExists(Name, ct));
    }
}
