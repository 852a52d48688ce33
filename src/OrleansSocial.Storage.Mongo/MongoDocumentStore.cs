using MongoDB.Bson;
using MongoDB.Driver;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Naming;

namespace OrleansSocial.Storage.Mongo;

/// <summary>
/// One <see cref="MongoClient"/>, one MongoDB database per tenant. MongoDB creates databases
/// implicitly on first write, so each database holds a marker collection written only by
/// <see cref="CreateDatabaseAsync"/>, and every handle checks the marker (remembered for
/// <see cref="ExistenceCache.Lifetime"/>) before it reads or writes: a dropped tenant is not
/// brought back by a write from a silo that still remembered it, beyond that short window.
/// Privileges the engine needs beyond <c>readWrite</c>: <c>listCollections</c> (existence),
/// <c>createIndex</c> (provisioning), <c>dropDatabase</c> (deletion); without one, the call fails
/// with <see cref="StoragePrivilegeException"/> naming it.
/// </summary>
public sealed class MongoDocumentStore(IMongoClient client, string catalogDatabase = StorageNames.CatalogDatabase, TimeProvider? time = null) : IDocumentStore
{
    internal const string MarkerCollection = "store_meta";

    public static readonly TimeSpan ExistenceLifetime = TimeSpan.FromSeconds(30);

    private readonly ExistenceCache _known = new(time ?? TimeProvider.System, ExistenceLifetime);

    public string Engine => "mongo";

    public IDocumentDatabase Catalog => GetDatabase(catalogDatabase);

    public Task InitializeAsync(CancellationToken cancellationToken) => this.EnsureDatabaseAsync(catalogDatabase, cancellationToken);

    public Task<bool> DatabaseExistsAsync(string name, CancellationToken cancellationToken) =>
        MongoPrivileges.RequireAsync("listCollections", StorageNames.Database(name), async () =>
        {
            var filter = new BsonDocument("name", MarkerCollection);
            using var names = await Database(name).ListCollectionNamesAsync(new ListCollectionNamesOptions { Filter = filter }, cancellationToken);
            return await names.AnyAsync(cancellationToken);
        });

    /// <summary>
    /// Writes the marker. A database that exists without one holds leftovers (writes that raced a
    /// deletion): it is dropped first, so a tenant created again never starts on someone's old data.
    /// </summary>
    public async Task CreateDatabaseAsync(string name, CancellationToken cancellationToken)
    {
        var database = StorageNames.Database(name);
        if (await DatabaseExistsAsync(name, cancellationToken))
        {
            throw new DatabaseAlreadyExistsException(name);
        }

        if (await HasCollectionsAsync(name, cancellationToken))
        {
            await MongoPrivileges.RequireAsync("dropDatabase", database, () => client.DropDatabaseAsync(database, cancellationToken));
        }

        var marker = Database(name).GetCollection<BsonDocument>(MarkerCollection);
        try
        {
            await MongoPrivileges.RequireAsync("insert", database,
                () => marker.InsertOneAsync(new BsonDocument { ["_id"] = "database", ["createdAt"] = DateTime.UtcNow }, cancellationToken: cancellationToken));
        }
        catch (MongoWriteException exception) when (exception.WriteError.Category == ServerErrorCategory.DuplicateKey)
        {
            throw new DatabaseAlreadyExistsException(name);
        }

        _known.Confirm(database);
    }

    /// <summary>Drops first, then forgets: a write racing the drop on this silo finds no marker afterwards.</summary>
    public async Task DropDatabaseAsync(string name, CancellationToken cancellationToken)
    {
        var database = StorageNames.Database(name);
        await MongoPrivileges.RequireAsync("dropDatabase", database, () => client.DropDatabaseAsync(database, cancellationToken));
        _known.Forget(database);
    }

    public IDocumentDatabase GetDatabase(string name) => new MongoDocumentDatabase(Database(name), EnsureExistsAsync);

    public async Task PingAsync(CancellationToken cancellationToken) =>
        await client.GetDatabase("admin").RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1), cancellationToken: cancellationToken);

    /// <summary>
    /// No server selectable or no pooled connection free within the driver's timeouts, or a
    /// connection lost mid-operation; a refused login is a deployment error, not a busy server.
    /// </summary>
    public bool IsBusy(Exception exception) =>
        exception is TimeoutException or MongoExecutionTimeoutException
            || (exception is MongoConnectionException && exception is not MongoAuthenticationException);

    private IMongoDatabase Database(string name) => client.GetDatabase(StorageNames.Database(name));

    private async Task<bool> HasCollectionsAsync(string name, CancellationToken cancellationToken)
    {
        using var names = await MongoPrivileges.RequireAsync("listCollections", StorageNames.Database(name),
            () => Database(name).ListCollectionNamesAsync(cancellationToken: cancellationToken));
        return await names.AnyAsync(cancellationToken);
    }

    private async Task EnsureExistsAsync(string database, CancellationToken cancellationToken)
    {
        if (_known.IsFresh(database))
        {
            return;
        }

        if (!await DatabaseExistsAsync(database, cancellationToken))
        {
            _known.Forget(database);
            throw new DatabaseNotFoundException(database);
        }

        _known.Confirm(database);
    }

    private sealed class MongoDocumentDatabase(IMongoDatabase database, Func<string, CancellationToken, Task> ensureExists) : IDocumentDatabase
    {
        public string Name => database.DatabaseNamespace.DatabaseName;

        public IDocumentCollection GetCollection(string name) =>
            new MongoDocumentCollection(database.GetCollection<BsonDocument>(StorageNames.Collection(name)), ct => ensureExists(Name, ct));
    }
}
