using MongoDB.Driver;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Mongo;
using OrleansSocial.Storage.Postgres;
using OrleansSocial.Storage.Sqlite;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Storage;

public sealed class SqliteStoreContract : DocumentStoreContract, IDisposable
{
    private readonly TempFolder _folder = new("orleans-social-store");
    private SqliteDocumentStore? _store;

    protected override async Task<IDocumentStore> StoreAsync()
    {
        if (_store is null)
        {
            _store = new SqliteDocumentStore(_folder.Path);
            await _store.InitializeAsync(CancellationToken.None);
        }

        return _store;
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreContract(PostgresServer server) : DocumentStoreContract, IAsyncLifetime
{
    private PostgresDocumentStore? _store;

    protected override async Task<IDocumentStore> StoreAsync()
    {
        if (_store is null)
        {
            _store = new PostgresDocumentStore(new PostgresStoreOptions
            {
                ConnectionString = server.ConnectionStringFor("catalog_" + Guid.NewGuid().ToString("N")[..12]),
            });
            await _store.InitializeAsync(CancellationToken.None);
        }

        return _store;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }
}

/// <summary>Runs against a real MongoDB when <c>MONGODB_URI</c> is set; otherwise every test reports skipped.</summary>
public sealed class MongoStoreContract : DocumentStoreContract
{
    public const string SkipReason = "MONGODB_URI is not set: no MongoDB server to run the contract against (never faked).";

    private MongoDocumentStore? _store;

    protected override async Task<IDocumentStore> StoreAsync()
    {
        var uri = Environment.GetEnvironmentVariable("MONGODB_URI");
        Skip.If(string.IsNullOrEmpty(uri), SkipReason);
        if (_store is null)
        {
            _store = new MongoDocumentStore(MongoConnection.Client(uri!), "catalog_" + Guid.NewGuid().ToString("N")[..12]);
            await _store.InitializeAsync(CancellationToken.None);
        }

        return _store;
    }

    /// <summary>Only a server shows this: MongoDB creates databases on write, so leftovers can exist without a marker.</summary>
    [SkippableFact]
    public async Task Creating_over_leftovers_without_a_marker_cleans_them_first()
    {
        var store = (MongoDocumentStore)await StoreAsync();
        var name = "tenant_left_" + Guid.NewGuid().ToString("N")[..10];
        var client = MongoConnection.Client(Environment.GetEnvironmentVariable("MONGODB_URI")!);
        await client.GetDatabase(name).GetCollection<MongoDB.Bson.BsonDocument>("posts").InsertOneAsync(new MongoDB.Bson.BsonDocument { ["_id"] = "ghost" });
        Assert.False(await store.DatabaseExistsAsync(name, CancellationToken.None));

        await store.CreateDatabaseAsync(name, CancellationToken.None);

        Assert.True(await store.DatabaseExistsAsync(name, CancellationToken.None));
        Assert.Null(await store.GetDatabase(name).GetCollection("posts").GetAsync("ghost", CancellationToken.None));
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresPoolTests(PostgresServer server)
{
    [Fact]
    public async Task Open_pools_stay_within_the_cap_however_many_databases_are_used()
    {
        await using var store = new PostgresDocumentStore(new PostgresStoreOptions
        {
            ConnectionString = server.ConnectionStringFor("catalog_" + Guid.NewGuid().ToString("N")[..12]),
            MaxOpenDatabases = 3,
        });
        await store.InitializeAsync(CancellationToken.None);

        var names = Enumerable.Range(0, 8).Select(i => $"tenant_pool_{Guid.NewGuid():N}"[..24] + i).ToList();
        foreach (var name in names)
        {
            await store.CreateDatabaseAsync(name, CancellationToken.None);
            await store.GetDatabase(name).GetCollection("items").UpsertAsync("a", System.Text.Json.JsonSerializer.SerializeToElement(new { name }), CancellationToken.None);
            Assert.InRange(store.OpenPools, 1, 3);
        }

        // Evicted pools reopen on demand: every database still answers.
        foreach (var name in names)
        {
            var stored = await store.GetDatabase(name).GetCollection("items").GetAsync("a", CancellationToken.None);
            Assert.Equal(name, stored!.Value.GetProperty("name").GetString());
        }

        Assert.InRange(store.OpenPools, 1, 3);
    }
}
