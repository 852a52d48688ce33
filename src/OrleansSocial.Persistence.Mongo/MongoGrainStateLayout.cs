using System.Globalization;
using System.Text;
using MongoDB.Bson;
using MongoDB.Driver;
using Orleans.Runtime;
using OrleansSocial.Storage.Naming;

namespace OrleansSocial.Persistence.Mongo;

/// <summary>
/// Where a grain's state lives and what its document looks like: a collection per state name, a
/// document per grain holding the serialized state, its ETag and when it changed. The document id
/// is keyed by service id and provider as well as the grain, so two services or two providers that
/// share a database never read each other's state. Pure, so it is tested without a server.
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

    /// <summary>
    /// One collection per state name, one to one: [a-z0-9] stand for themselves and every other
    /// character is written as '_' and four hex digits, so "a.b", "a-b", "A_B" and "a_b" never share
    /// a collection. Over-long names keep a prefix and end in a hash of the whole name.
    /// </summary>
    public static string CollectionFor(string stateName)
    {
        var encoded = new StringBuilder(CollectionPrefix);
        foreach (var c in stateName)
        {
            if (c is (>= 'a' and <= 'z') or (>= '0' and <= '9'))
            {
                encoded.Append(c);
            }
            else
            {
                encoded.Append('_').Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
        }

        const int MaxLength = 100;
        if (encoded.Length <= MaxLength)
        {
            return encoded.ToString();
        }

        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(stateName)))[..16];
        return encoded.ToString(0, MaxLength - 17) + "_" + hash;
    }

    /// <summary>A database name MongoDB accepts: 1-63 bytes, none of <c>/\. "$*&lt;&gt;:|?</c>.</summary>
    public static bool IsValidDatabaseName(string? name) =>
        !string.IsNullOrEmpty(name) && Encoding.UTF8.GetByteCount(name) < 64 && name.IndexOfAny(['/', '\\', '.', ' ', '"', '$', '*', '<', '>', ':', '|', '?', '\0']) < 0;

    public static string IdFor(string serviceId, string provider, GrainId grainId) => $"{serviceId}/{provider}/{grainId}";

    public static BsonDocument Document(string id, string etag, BinaryData payload, DateTimeOffset now) => new()
    {
        { IdField, id },
        { ETagField, etag },
        { PayloadField, new BsonBinaryData(payload.ToArray()) },
        { UpdatedField, now.UtcDateTime },
    };

    public static FilterDefinition<BsonDocument> ById(string id) => Builders<BsonDocument>.Filter.Eq(IdField, id);

    /// <summary>The document as the caller last saw it: a write or delete matching nothing means someone else changed it.</summary>
    public static FilterDefinition<BsonDocument> ByIdAndETag(string id, string etag) =>
        Builders<BsonDocument>.Filter.And(ById(id), Builders<BsonDocument>.Filter.Eq(ETagField, etag));
}
