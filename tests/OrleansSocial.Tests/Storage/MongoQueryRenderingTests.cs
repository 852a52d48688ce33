using System.Text.Json;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Mongo;
using OrleansSocial.Storage.Naming;

namespace OrleansSocial.Tests.Storage;

/// <summary>What the MongoDB engine sends, rendered to BSON without a server.</summary>
public sealed class MongoQueryRenderingTests
{
    private static readonly IBsonSerializer<BsonDocument> Serializer = BsonSerializer.SerializerRegistry.GetSerializer<BsonDocument>();

    private static BsonDocument Render(FilterDefinition<BsonDocument> filter) =>
        filter.Render(new RenderArgs<BsonDocument>(Serializer, BsonSerializer.SerializerRegistry));

    private static BsonDocument Render(SortDefinition<BsonDocument> sort) =>
        sort.Render(new RenderArgs<BsonDocument>(Serializer, BsonSerializer.SerializerRegistry));

    [Fact]
    public void Filters_render_to_typed_comparisons()
    {
        var filter = MongoQueries.Where([
            FieldFilter.Eq("status", "open"),
            FieldFilter.Gte("createdAt", "2026-01-01T00:00:00.0000000Z"),
            FieldFilter.Lt("weight", 3.5),
        ]);

        Assert.Equal(
            BsonDocument.Parse("""{ "status": "open", "createdAt": { "$gte": "2026-01-01T00:00:00.0000000Z" }, "weight": { "$lt": 3.5 } }"""),
            Render(filter));
    }

    [Fact]
    public void No_filter_renders_to_an_empty_document()
    {
        Assert.Equal(new BsonDocument(), Render(MongoQueries.Where([])));
    }

    [Fact]
    public void A_descending_cursor_renders_to_a_keyset_condition_on_value_then_id()
    {
        var sort = new SortField("createdAt", FieldKind.String, Descending: true);
        var cursor = Cursor.Encode(FieldValue.Of("2026-02-01"), "post9");

        var filter = MongoQueries.Where([FieldFilter.Eq("status", "open")], new DocumentQuery { Sort = sort, Cursor = cursor });

        Assert.Equal(
            BsonDocument.Parse("""
                {
                    "status": "open",
                    "$or": [ { "createdAt": { "$lt": "2026-02-01" } }, { "createdAt": "2026-02-01", "_id": { "$lt": "post9" } } ]
                }
                """),
            Render(filter));
        Assert.Equal(BsonDocument.Parse("""{ "createdAt": -1, "_id": -1 }"""), Render(MongoQueries.Order(sort)));
    }

    [Fact]
    public void Without_a_sort_field_pages_go_by_id()
    {
        var filter = MongoQueries.Where([], new DocumentQuery { Cursor = Cursor.Encode(null, "k5") });

        Assert.Equal(BsonDocument.Parse("""{ "_id": { "$gt": "k5" } }"""), Render(filter));
        Assert.Equal(BsonDocument.Parse("""{ "_id": 1 }"""), Render(MongoQueries.Order(null)));
    }

    [Fact]
    public void Index_definitions_render_to_keys_name_and_uniqueness()
    {
        var model = MongoQueries.Index(new IndexDefinition("status_created",
            [new IndexField("status", FieldKind.String), new IndexField("createdAt", FieldKind.String, Descending: true)], Unique: true));

        var keys = model.Keys.Render(new RenderArgs<BsonDocument>(Serializer, BsonSerializer.SerializerRegistry));
        Assert.Equal(BsonDocument.Parse("""{ "status": 1, "createdAt": -1 }"""), keys);
        Assert.Equal("status_created", model.Options.Name);
        Assert.True(model.Options.Unique);
    }

    [Fact]
    public void Non_unique_indexes_end_with_the_id_so_keyset_pages_need_no_blocking_sort()
    {
        var descending = MongoQueries.Index(new IndexDefinition("channel_created",
            [new IndexField("channelId", FieldKind.String), new IndexField("createdAt", FieldKind.String, Descending: true)]));
        var ascending = MongoQueries.Index(new IndexDefinition("post_created",
            [new IndexField("postId", FieldKind.String), new IndexField("createdAt", FieldKind.String)]));

        Assert.Equal(BsonDocument.Parse("""{ "channelId": 1, "createdAt": -1, "_id": -1 }"""), descending.Keys.Render(new RenderArgs<BsonDocument>(Serializer, BsonSerializer.SerializerRegistry)));
        Assert.Equal(BsonDocument.Parse("""{ "postId": 1, "createdAt": 1, "_id": 1 }"""), ascending.Keys.Render(new RenderArgs<BsonDocument>(Serializer, BsonSerializer.SerializerRegistry)));
    }

    [Fact]
    public void Field_names_that_could_inject_operators_are_refused()
    {
        Assert.Throws<ArgumentException>(() => MongoQueries.Where([FieldFilter.Eq("$where", "1")]));
        Assert.Throws<ArgumentException>(() => MongoQueries.Where([FieldFilter.Eq("a.$ne", "1")]));
    }

    [Fact]
    public void Documents_map_to_bson_with_the_id_first_and_back_unchanged()
    {
        var json = JsonSerializer.SerializeToElement(new { name = "Acme \"quoted\" ☃", count = 3, ratio = 0.25, tags = new[] { "a" } });

        var bson = MongoDocumentCollection.ToBson("t1", json);
        Assert.Equal("_id", bson.GetElement(0).Name);
        Assert.Equal("t1", bson["_id"].AsString);

        var back = MongoDocumentCollection.ToJson(bson);
        Assert.False(back.TryGetProperty("_id", out _));
        Assert.Equal("Acme \"quoted\" ☃", back.GetProperty("name").GetString());
        Assert.Equal(3, back.GetProperty("count").GetInt32());
        Assert.Equal(0.25, back.GetProperty("ratio").GetDouble());
    }

    [Fact]
    public void A_document_holding_its_own_id_field_is_refused()
    {
        Assert.Throws<ArgumentException>(() => MongoDocumentCollection.ToBson("t1", JsonSerializer.SerializeToElement(new Dictionary<string, object> { ["_id"] = "evil" })));
    }
}

public sealed class StorageNamesTests
{
    [Theory]
    [InlineData("acme-co", "tenant_acme_co")]
    [InlineData("abc", "tenant_abc")]
    [InlineData("0day-labs-2", "tenant_0day_labs_2")]
    public void Tenant_ids_map_to_database_names(string tenantId, string database) =>
        Assert.Equal(database, StorageNames.TenantDatabase(tenantId));

    [Theory]
    [InlineData("../etc")]
    [InlineData("a/b")]
    [InlineData("$where")]
    [InlineData("tenant_x")]
    [InlineData("UPPER")]
    [InlineData("a")]
    [InlineData("-abc")]
    [InlineData("acme\0")]
    [InlineData("acme\n")]
    [InlineData("ａｃｍｅ")]
    [InlineData("o'brien")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public void Invalid_tenant_ids_never_become_database_names(string tenantId) =>
        Assert.Throws<ArgumentException>(() => StorageNames.TenantDatabase(tenantId));

    [Fact]
    public void The_mapping_is_injective_and_fits_every_engine()
    {
        // '-' is the only character rewritten and '_' never appears in a tenant id, so distinct ids stay distinct.
        var ids = new[] { "a-b-c", "ab-c", "a-bc", "abc", "abc-", "ab--c" };
        Assert.Equal(ids.Length, ids.Select(StorageNames.TenantDatabase).Distinct().Count());
        Assert.True(StorageNames.TenantDatabase(new string('a', 40)).Length <= 63);
    }
}
