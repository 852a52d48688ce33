using System.Text.Json;
using MongoDB.Bson;
using MongoDB.Driver;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Naming;

namespace OrleansSocial.Storage.Mongo;

/// <summary>Documents stored as <c>{ _id: id, ...body }</c>, so fields are queried and indexed in place.</summary>
internal sealed class MongoDocumentCollection(IMongoCollection<BsonDocument> collection, Func<CancellationToken, Task> ensureExists) : IDocumentCollection
{
    public string Name { get; } = StorageNames.Collection(collection.CollectionNamespace.CollectionName);

    public Task EnsureExistsAsync(CancellationToken cancellationToken) => ensureExists(cancellationToken);

    public async Task EnsureIndexAsync(IndexDefinition index, CancellationToken cancellationToken)
    {
        await ensureExists(cancellationToken);
        await MongoPrivileges.RequireAsync("createIndex", collection.Database.DatabaseNamespace.DatabaseName,
            () => collection.Indexes.CreateOneAsync(MongoQueries.Index(index), cancellationToken: cancellationToken));
    }

    public async Task<JsonElement?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await ensureExists(cancellationToken);
        var found = await collection.Find(ById(id)).FirstOrDefaultAsync(cancellationToken);
        return found is null ? null : ToJson(found);
    }

    public async Task<bool> InsertAsync(string id, JsonElement document, CancellationToken cancellationToken)
    {
        await ensureExists(cancellationToken);
        try
        {
            await collection.InsertOneAsync(ToBson(id, document), cancellationToken: cancellationToken);
            return true;
        }
        catch (MongoWriteException exception) when (exception.WriteError.Category == ServerErrorCategory.DuplicateKey)
        {
            return false;
        }
    }

    public async Task UpsertAsync(string id, JsonElement document, CancellationToken cancellationToken)
    {
        await ensureExists(cancellationToken);
        await collection.ReplaceOneAsync(ById(id), ToBson(id, document), new ReplaceOptions { IsUpsert = true }, cancellationToken);
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        await ensureExists(cancellationToken);
        var result = await collection.DeleteOneAsync(ById(id), cancellationToken);
        return result.DeletedCount == 1;
    }

    public async Task<DocumentPage> QueryAsync(DocumentQuery query, CancellationToken cancellationToken)
    {
        if (query.Limit is < 1 or > DocumentQuery.MaxLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(query), $"Limit must be between 1 and {DocumentQuery.MaxLimit}.");
        }

        await ensureExists(cancellationToken);
        var found = await collection.Find(MongoQueries.Where(query.Filters, query))
            .Sort(MongoQueries.Order(query.Sort))
            .Limit(query.Limit + 1)
            .ToListAsync(cancellationToken);
        var items = found.Select(d => new StoredDocument(d[MongoQueries.IdField].AsString, ToJson(d))).ToList();
        string? next = null;
        if (items.Count > query.Limit)
        {
            items.RemoveAt(items.Count - 1);
            var last = items[^1];
            next = Cursor.Encode(Cursor.SortValueOf(last.Body, query.Sort), last.Id);
        }

        return new DocumentPage(items, next);
    }

    public async Task<long> CountAsync(IReadOnlyList<FieldFilter> filters, CancellationToken cancellationToken)
    {
        await ensureExists(cancellationToken);
        return await collection.CountDocumentsAsync(MongoQueries.Where(filters), cancellationToken: cancellationToken);
    }

    public async Task<long> DeleteManyAsync(IReadOnlyList<FieldFilter> filters, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfZero(filters.Count, nameof(filters));
        await ensureExists(cancellationToken);
        return (await collection.DeleteManyAsync(MongoQueries.Where(filters), cancellationToken)).DeletedCount;
    }

    private static FilterDefinition<BsonDocument> ById(string id) => Builders<BsonDocument>.Filter.Eq(MongoQueries.IdField, id);

    internal static BsonDocument ToBson(string id, JsonElement document)
    {
        if (document.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("A document must be a JSON object.", nameof(document));
        }

        if (document.TryGetProperty(MongoQueries.IdField, out _))
        {
            throw new ArgumentException("A document must not hold '_id'; the id is given apart.", nameof(document));
        }

        var bson = JsonBson.ToBsonDocument(document);
        bson.InsertAt(0, new BsonElement(MongoQueries.IdField, id));
        return bson;
    }

    internal static JsonElement ToJson(BsonDocument document)
    {
        var body = document.DeepClone().AsBsonDocument;
        body.Remove(MongoQueries.IdField);
        return JsonBson.ToJson(body);
    }
}
