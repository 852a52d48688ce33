using MongoDB.Bson;
using MongoDB.Driver;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Naming;

namespace OrleansSocial.Storage.Mongo;

/// <summary>
/// Builds MongoDB filters, sorts and index models from the store contract's queries. Pure:
/// unit tests render what it builds to BSON without a server.
/// </summary>
internal static class MongoQueries
{
    public const string IdField = "_id";

    private static FilterDefinitionBuilder<BsonDocument> Filter => Builders<BsonDocument>.Filter;

    public static FilterDefinition<BsonDocument> Where(IReadOnlyList<FieldFilter> filters, DocumentQuery? query = null)
    {
        var clauses = filters.Select(filter =>
        {
            var field = StorageNames.Field(filter.Field);
            var value = ToBson(filter.Value);
            return filter.Operator switch
            {
                FilterOperator.Equal => Filter.Eq(field, value),
                FilterOperator.GreaterThanOrEqual => Filter.Gte(field, value),
                FilterOperator.LessThan => Filter.Lt(field, value),
                _ => throw new ArgumentOutOfRangeException(nameof(filters)),
            };
        }).ToList();

        if (query?.Cursor is { } cursor)
        {
            clauses.Add(After(cursor, query.Sort));
        }

        return clauses.Count == 0 ? Filter.Empty : Filter.And(clauses);
    }

    public static SortDefinition<BsonDocument> Order(SortField? sort)
    {
        var builder = Builders<BsonDocument>.Sort;
        if (sort is null)
        {
            return builder.Ascending(IdField);
        }

        var field = StorageNames.Field(sort.Field);
        return sort.Descending
            ? builder.Combine(builder.Descending(field), builder.Descending(IdField))
            : builder.Combine(builder.Ascending(field), builder.Ascending(IdField));
    }

    public static CreateIndexModel<BsonDocument> Index(IndexDefinition index)
    {
        var keys = Builders<BsonDocument>.IndexKeys;
        var fields = index.Fields
            .Select(f => f.Descending ? keys.Descending(StorageNames.Field(f.Field)) : keys.Ascending(StorageNames.Field(f.Field)))
            .ToList();
        if (!index.Unique)
        {
            // Keyset paging sorts by (field, _id): with _id last, in the last field's direction, the
            // index serves the whole sort instead of leaving a blocking sort over every match.
            fields.Add(index.Fields.LastOrDefault()?.Descending == true ? keys.Descending(IdField) : keys.Ascending(IdField));
        }

        return new CreateIndexModel<BsonDocument>(
            keys.Combine(fields),
            new CreateIndexOptions { Name = index.Name, Unique = index.Unique });
    }

    public static BsonValue ToBson(FieldValue value) =>
        value.Kind == FieldKind.String ? new BsonString(value.Text) : new BsonDouble(value.Number);

    /// <summary>Keyset paging: strictly after the (sort value, id) pair of the previous page's last document.</summary>
    private static FilterDefinition<BsonDocument> After(string cursor, SortField? sort)
    {
        var (sortValue, lastId) = Cursor.Decode(cursor, sort);
        var descending = sort?.Descending == true;
        FilterDefinition<BsonDocument> Beyond(string field, BsonValue value) =>
            descending ? Filter.Lt(field, value) : Filter.Gt(field, value);

        if (sort is null)
        {
            return Beyond(IdField, lastId);
        }

        var field = StorageNames.Field(sort.Field);
        var last = ToBson(sortValue!.Value);
        return Filter.Or(
            Beyond(field, last),
            Filter.And(Filter.Eq(field, last), Beyond(IdField, lastId)));
    }
}
