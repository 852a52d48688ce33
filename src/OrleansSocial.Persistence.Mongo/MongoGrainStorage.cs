using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using MongoDB.Driver;
using Orleans;
using Orleans.Runtime;
using Orleans.Storage;

namespace OrleansSocial.Persistence.Mongo;

/// <summary>
/// Grain state in MongoDB with optimistic concurrency: every write names the ETag it read (a new
/// random one replaces it), a first write is an insert that fails if the document exists, and
/// clear deletes only the version the caller holds. A mismatch is <see cref="InconsistentStateException"/>.
/// </summary>
public sealed partial class MongoGrainStorage(
    string name, MongoGrainStorageOptions options, IMongoClient client, IGrainStorageSerializer serializer, TimeProvider time, ILogger<MongoGrainStorage> logger)
    : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    private readonly ConcurrentDictionary<(string Database, string Collection), Task> _indexed = new();

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe($"{nameof(MongoGrainStorage)}-{name}", ServiceLifecycleStage.ApplicationServices, EnsureIndexesAtStartAsync);

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var document = await (await CollectionAsync(stateName, grainId)).Find(MongoGrainStateLayout.ById(grainId)).FirstOrDefaultAsync();
        if (document is null)
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }

        grainState.State = serializer.Deserialize<T>(new BinaryData(document[MongoGrainStateLayout.PayloadField].AsBsonBinaryData.Bytes));
        grainState.ETag = document[MongoGrainStateLayout.ETagField].AsString;
        grainState.RecordExists = true;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var collection = await CollectionAsync(stateName, grainId);
        var etag = Guid.NewGuid().ToString("N");
        var document = MongoGrainStateLayout.Document(grainId, etag, serializer.Serialize(grainState.State), time.GetUtcNow());
        if (grainState.ETag is null)
        {
            try
            {
                await collection.InsertOneAsync(document);
            }
            catch (MongoWriteException exception) when (exception.WriteError.Category == ServerErrorCategory.DuplicateKey)
            {
                throw Conflict("write", stateName, grainId, null);
            }
        }
        else if ((await collection.ReplaceOneAsync(MongoGrainStateLayout.ByIdAndETag(grainId, grainState.ETag), document)).MatchedCount == 0)
        {
            throw Conflict("write", stateName, grainId, grainState.ETag);
        }

        grainState.ETag = etag;
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var collection = await CollectionAsync(stateName, grainId);
        var filter = grainState.ETag is null ? MongoGrainStateLayout.ById(grainId) : MongoGrainStateLayout.ByIdAndETag(grainId, grainState.ETag);
        if (grainState.ETag is null)
        {
            // Without an ETag the caller never saw a stored version: clearing one that exists would lose someone's write.
            if (await collection.Find(filter).AnyAsync())
            {
                throw Conflict("clear", stateName, grainId, null);
            }
        }
        else if ((await collection.DeleteOneAsync(filter)).DeletedCount == 0)
        {
            throw Conflict("clear", stateName, grainId, grainState.ETag);
        }

        grainState.State = Activator.CreateInstance<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    private async Task<IMongoCollection<BsonDocument>> CollectionAsync(string stateName, GrainId grainId)
    {
        var database = MongoGrainStateLayout.DatabaseFor(grainId, options);
        var collectionName = MongoGrainStateLayout.CollectionFor(stateName);
        var collection = client.GetDatabase(database).GetCollection<BsonDocument>(collectionName);
        await _indexed.GetOrAdd((database, collectionName), _ => collection.Indexes.CreateOneAsync(MongoGrainStateLayout.UpdatedIndex));
        return collection;
    }

    private async Task EnsureIndexesAtStartAsync(CancellationToken cancellationToken)
    {
        foreach (var stateName in options.StateNames)
        {
            var collectionName = MongoGrainStateLayout.CollectionFor(stateName);
            var collection = client.GetDatabase(options.DefaultDatabase).GetCollection<BsonDocument>(collectionName);
            await collection.Indexes.CreateOneAsync(MongoGrainStateLayout.UpdatedIndex, cancellationToken: cancellationToken);
            _indexed.TryAdd((options.DefaultDatabase, collectionName), Task.CompletedTask);
        }

        LogIndexed(logger, name, options.StateNames.Count);
    }

    private InconsistentStateException Conflict(string operation, string stateName, GrainId grainId, string? etag)
    {
        LogConflict(logger, name, operation, stateName, grainId.ToString());
        return new InconsistentStateException($"Version conflict ({operation}) on {stateName} of {grainId} in provider {name}: ETag {etag ?? "(none)"} is not the stored one.");
    }

    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "MongoDB grain storage {Provider}: indexes ensured for {Count} state collections")]
    private static partial void LogIndexed(ILogger logger, string provider, int count);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Warning, Message = "MongoDB grain storage {Provider}: {Operation} of {StateName} for {GrainId} refused (ETag mismatch)")]
    private static partial void LogConflict(ILogger logger, string provider, string operation, string stateName, string grainId);
}
