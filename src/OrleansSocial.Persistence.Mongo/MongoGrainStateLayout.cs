using MongoDB.Bson;
using MongoDB.Driver;
using Orleans.Runtime;
using OrleansSocial.Storage.Naming;

namespace OrleansSocial.Persistence.Mongo;

/// <summary>
/// Where a grain's state lives and what its document looks like: a collection per state name, a
/// document per grain (<c>_id</c> = grain id) holding the serialized state, its ETag and when it changed.
/// Pure, so it is tested without a server.
/// </summary>
internal static class MongoGrainStateLayout
{
    public const string IdField = "_id";
    public const string ETagField = "etag";
    public const string PayloadField = "payload";
    public const string UpdatedField = "updatedAt";
    public const string CollectionPrefix = "grain_state_";

    public static string DatabaseFor(GrainId grainId, MongoGrainStorageOptions options)
    {
        var type = grainId.Type.ToString();
        var key = grainId.Key.ToString() ?? "";
        var tenant = key.Split('/')[0];
        return options.TenantOwnedGrainTypes.Contains(type) && StorageNames.TenantIdPattern().IsMatch(tenant)
            ? StorageNames.TenantDatabase(tenant)
            : options.DefaultDatabase;
    }

    /// <summary>One collection per state name; names become [a-z0-9_] so any state name is a valid collection.</summary>
    public static string CollectionFor(string stateName) =>
        CollectionPrefix + new string(stateName.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());

    public static BsonDocument Document(GrainId grainId, string etag, BinaryData payload, DateTimeOffset now) => new()
    {
        { IdField, grainId.ToString() },
        { ETagField, etag },
        { PayloadField, new BsonBinaryData(payload.ToArray()) },
        { UpdatedField, now.UtcDateTime },
    };

    public static FilterDefinition<BsonDocument> ById(GrainId grainId) => Builders<BsonDocument>.Filter.Eq(IdField, grainId.ToString());

    /// <summary>The document as the caller last saw it: a write or delete matching nothing means someone else changed it.</summary>
    public static FilterDefinition<BsonDocument> ByIdAndETag(GrainId grainId, string etag) =>
        Builders<BsonDocument>.Filter.And(ById(grainId), Builders<BsonDocument>.Filter.Eq(ETagField, etag));

    public static CreateIndexModel<BsonDocument> UpdatedIndex { get; } =
        new(Builders<BsonDocument>.IndexKeys.Ascending(UpdatedField), new CreateIndexOptions { Name = "updated_at" });
}
