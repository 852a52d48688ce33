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
/// It creates no index: grains are read by <c>_id</c> only, which MongoDB always indexes. So a read
/// never sends a write command (one that would need the primary, and would create the database of
/// a deleted tenant), and there is no index task to fail once and poison every later call.
/// </summary>
public sealed partial class MongoGrainStorage(
    string name, string serviceId, MongoGrainStorageOptions options, IMongoClient client, IGrainStorageSerializer serializer, TimeProvider time, ILogger<MongoGrainStorage> logger)
    : IGrainStorage
{
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var document = await Collection(stateName, grainId).Find(MongoGrainStateLayout.ById(IdOf(grainId))).FirstOrDefaultAsync();
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
        var collection = Collection(stateName, grainId);
        var etag = Guid.NewGuid().ToString("N");
        var document = MongoGrainStateLayout.Document(IdOf(grainId), etag, serializer.Serialize(grainState.State), time.GetUtcNow());
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
        else if ((await collection.ReplaceOneAsync(MongoGrainStateLayout.ByIdAndETag(IdOf(grainId), grainState.ETag), document)).MatchedCount == 0)
        {
            throw Conflict("write", stateName, grainId, grainState.ETag);
        }

        grainState.ETag = etag;
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var collection = Collection(stateName, grainId);
        var filter = grainState.ETag is null ? MongoGrainStateLayout.ById(IdOf(grainId)) : MongoGrainStateLayout.ByIdAndETag(IdOf(grainId), grainState.ETag);
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

    private string IdOf(GrainId grainId) => MongoGrainStateLayout.IdFor(serviceId, name, grainId);

    private IMongoCollection<BsonDocument> Collection(string stateName, GrainId grainId) =>
        client.GetDatabase(MongoGrainStateLayout.DatabaseFor(grainId, options)).GetCollection<BsonDocument>(MongoGrainStateLayout.CollectionFor(stateName));

    private InconsistentStateException Conflict(string operation, string stateName, GrainId grainId, string? etag)
    {
        LogConflict(logger, name, operation, stateName, grainId.ToString());
        return new InconsistentStateException($"Version conflict ({operation}) on {stateName} of {grainId} in provider {name}: ETag {etag ?? "(none)"} is not the stored one.");
    }

    [LoggerMessage(EventId = 2202, Level = LogLevel.Warning, Message = "MongoDB grain storage {Provider}: {Operation} of {StateName} for {GrainId} refused (ETag mismatch)")]
    private static partial void LogConflict(ILogger logger, string provider, string operation, string stateName, string grainId);
}
