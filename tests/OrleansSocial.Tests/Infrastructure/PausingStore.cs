using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansSocial.Storage.Documents;

namespace OrleansSocial.Tests.Infrastructure;

/// <summary>
/// The real store, except that one chosen upsert of one collection waits until the test lets it
/// go: a way to hold a grain exactly in the middle of a write, where races live; and reads by id of
/// that collection can be made to fail for a while, as a database out of connections fails them.
/// Everything else passes straight through to the real engine.
/// </summary>
public sealed class PausingStore(IDocumentStore inner, string collection) : IDocumentStore
{
    private readonly object _gate = new();
    private Func<JsonElement, bool>? _match;
    private TaskCompletionSource _caught = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static Action<IServiceCollection> Install(string collection, Action<PausingStore> expose) => services =>
    {
        var descriptor = services.Last(d => d.ServiceType == typeof(IDocumentStore));
        services.Remove(descriptor);
        services.AddSingleton<IDocumentStore>(provider =>
        {
            var real = (IDocumentStore)descriptor.ImplementationFactory!(provider);
            var pausing = new PausingStore(real, collection);
            expose(pausing);
            return pausing;
        });
    };

    /// <summary>The next upsert into the collection whose document matches is held; returns a task that completes when it is.</summary>
    public Task Arm(Func<JsonElement, bool> match)
    {
        lock (_gate)
        {
            _match = match;
            _caught = new(TaskCreationOptions.RunContinuationsAsynchronously);
            _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
            return _caught.Task;
        }
    }

    public void Release() => _release.TrySetResult();

    private Exception? _readFailure;

    /// <summary>While set, every read by id from the collection fails with this; null lets reads through again.</summary>
    public void FailReads(Exception? failure) => Volatile.Write(ref _readFailure, failure);

    private Exception? ReadFailure => Volatile.Read(ref _readFailure);

    private Exception? _insertFailure;

    /// <summary>Inserts into the collection fail with <paramref name="failure"/> until called with null.</summary>
    public void FailInserts(Exception? failure) => Volatile.Write(ref _insertFailure, failure);

    private Exception? InsertFailure => Volatile.Read(ref _insertFailure);

    private Exception? _upsertFailure;

    /// <summary>Upserts into the collection fail with <paramref name="failure"/> until called again with null.</summary>
    public void FailUpserts(Exception? failure) => Volatile.Write(ref _upsertFailure, failure);

    private Exception? UpsertFailure => Volatile.Read(ref _upsertFailure);

    public string Engine => inner.Engine;

    public IDocumentDatabase Catalog => new Database(this, inner.Catalog);

    public Task InitializeAsync(CancellationToken cancellationToken) => inner.InitializeAsync(cancellationToken);

    public Task<bool> DatabaseExistsAsync(string name, CancellationToken cancellationToken) => inner.DatabaseExistsAsync(name, cancellationToken);

    public Task CreateDatabaseAsync(string name, CancellationToken cancellationToken) => inner.CreateDatabaseAsync(name, cancellationToken);

    public IReadOnlyCollection<string> Isolations => inner.Isolations;

    public Task CreateDatabaseAsync(string name, string isolation, CancellationToken cancellationToken) => inner.CreateDatabaseAsync(name, isolation, cancellationToken);

    public Task DropDatabaseAsync(string name, CancellationToken cancellationToken) => inner.DropDatabaseAsync(name, cancellationToken);

    public IDocumentDatabase GetDatabase(string name) => new Database(this, inner.GetDatabase(name));

    public Task PingAsync(CancellationToken cancellationToken) => inner.PingAsync(cancellationToken);

    private async Task BeforeUpsertAsync(JsonElement document)
    {
        Task? wait = null;
        lock (_gate)
        {
            if (_match is { } match && match(document))
            {
                _match = null;
                _caught.TrySetResult();
                wait = _release.Task;
            }
        }

        if (wait is not null)
        {
            await wait;
        }
    }

    private sealed class Database(PausingStore store, IDocumentDatabase inner) : IDocumentDatabase
    {
        public string Name => inner.Name;

        public IDocumentCollection GetCollection(string name) =>
            name == store.CollectionName ? new Collection(store, inner.GetCollection(name)) : inner.GetCollection(name);
    }

    private string CollectionName => collection;

    private sealed class Collection(PausingStore store, IDocumentCollection inner) : IDocumentCollection
    {
        public string Name => inner.Name;

        public Task EnsureExistsAsync(CancellationToken cancellationToken) => inner.EnsureExistsAsync(cancellationToken);

        public Task EnsureIndexAsync(IndexDefinition index, CancellationToken cancellationToken) => inner.EnsureIndexAsync(index, cancellationToken);

        public Task<JsonElement?> GetAsync(string id, CancellationToken cancellationToken) =>
            store.ReadFailure is { } failure ? Task.FromException<JsonElement?>(failure) : inner.GetAsync(id, cancellationToken);

        public Task<bool> InsertAsync(string id, JsonElement document, CancellationToken cancellationToken) =>
            store.InsertFailure is { } failure ? Task.FromException<bool>(failure) : inner.InsertAsync(id, document, cancellationToken);

        public async Task UpsertAsync(string id, JsonElement document, CancellationToken cancellationToken)
        {
            await store.BeforeUpsertAsync(document);
            if (store.UpsertFailure is { } failure)
            {
                throw failure;
            }

            await inner.UpsertAsync(id, document, cancellationToken);
        }

        public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken) => inner.DeleteAsync(id, cancellationToken);

        public Task<DocumentPage> QueryAsync(DocumentQuery query, CancellationToken cancellationToken) => inner.QueryAsync(query, cancellationToken);

        public Task<long> CountAsync(IReadOnlyList<FieldFilter> filters, CancellationToken cancellationToken) => inner.CountAsync(filters, cancellationToken);

        public Task<long> DeleteManyAsync(IReadOnlyList<FieldFilter> filters, CancellationToken cancellationToken) => inner.DeleteManyAsync(filters, cancellationToken);
    }
}
