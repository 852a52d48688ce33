using Microsoft.Extensions.Logging.Abstractions;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;
using Orleans.Runtime;
using Orleans.Storage;
using OrleansSocial.Persistence.Mongo;
using OrleansSocial.Tests.Storage;

namespace OrleansSocial.Tests.Persistence;

/// <summary>The grain storage checklist against a real MongoDB when <c>MONGODB_URI</c> is set; skipped otherwise, never faked.</summary>
public sealed class MongoGrainStorageTests : GrainStorageContract
{
    private readonly MongoGrainStorageOptions _options = new() { DefaultDatabase = "grain_state_" + Guid.NewGuid().ToString("N")[..12] };
    private MongoGrainStorage? _storage;

    protected override IGrainStorage Storage => _storage ??= Create();

    protected override IGrainStorage Twin() => Create();

    private MongoGrainStorage Create()
    {
        var uri = Environment.GetEnvironmentVariable("MONGODB_URI");
        Skip.If(string.IsNullOrEmpty(uri), MongoStoreContract.SkipReason);
        return new MongoGrainStorage("state", "test-service", _options, OrleansSocial.Storage.Mongo.MongoConnection.Client(uri!), new SystemTextJsonSerializer(), TimeProvider.System, NullLogger<MongoGrainStorage>.Instance);
    }
}

/// <summary>What the MongoDB grain storage decides without a server: where state lives and what a conditional write matches.</summary>
public sealed class MongoGrainStateLayoutTests
{
    private static readonly MongoGrainStorageOptions Options = new();

    private static BsonDocument Render(FilterDefinition<BsonDocument> filter) =>
        filter.Render(new RenderArgs<BsonDocument>(BsonSerializer.LookupSerializer<BsonDocument>(), BsonSerializer.SerializerRegistry));

    [Fact]
    public void Tenant_owned_grains_keep_their_state_in_their_tenants_database()
    {
        Assert.Equal("tenant_acme_co", MongoGrainStateLayout.DatabaseFor(GrainId.Create("tenant", "acme-co"), Options));
        Assert.Equal("tenant_acme_co", MongoGrainStateLayout.DatabaseFor(GrainId.Create("channel", "acme-co/fb-123"), Options));
        Assert.Equal(Options.DefaultDatabase, MongoGrainStateLayout.DatabaseFor(GrainId.Create("ratebudget", "page:123"), Options));
        // A key that is not a valid tenant id never names a database.
        Assert.Equal(Options.DefaultDatabase, MongoGrainStateLayout.DatabaseFor(GrainId.Create("channel", "../admin/fb-1"), Options));
    }

    [Fact]
    public void Each_state_name_gets_its_own_collection_one_to_one()
    {
        Assert.Equal("grain_state_profile", MongoGrainStateLayout.CollectionFor("profile"));
        string[] names = ["a.b", "a-b", "A_B", "a_b", "ab", "a_002eb", "A.b$c"];
        Assert.Equal(names.Length, names.Select(MongoGrainStateLayout.CollectionFor).Distinct().Count());
        Assert.All(names.Select(MongoGrainStateLayout.CollectionFor), c => Assert.Matches("^[a-z0-9_]+$", c));
        var longName = new string('x', 300);
        Assert.True(MongoGrainStateLayout.CollectionFor(longName).Length <= 100);
        Assert.NotEqual(MongoGrainStateLayout.CollectionFor(longName), MongoGrainStateLayout.CollectionFor(longName + "y"));
    }

    [Fact]
    public void State_ids_are_keyed_by_service_and_provider_as_well_as_the_grain()
    {
        var grain = GrainId.Create("channel", "acme/fb-1");

        Assert.Equal("svc/state/channel/acme/fb-1", MongoGrainStateLayout.IdFor("svc", "state", grain));
        Assert.NotEqual(MongoGrainStateLayout.IdFor("svc", "state", grain), MongoGrainStateLayout.IdFor("other", "state", grain));
        Assert.NotEqual(MongoGrainStateLayout.IdFor("svc", "state", grain), MongoGrainStateLayout.IdFor("svc", "archive", grain));
    }

    [Theory]
    [InlineData("orleans_grain_state", true)]
    [InlineData("", false)]
    [InlineData("a.b", false)]
    [InlineData("a/b", false)]
    [InlineData("a b", false)]
    [InlineData("$x", false)]
    public void The_default_database_name_is_checked(string name, bool valid) =>
        Assert.Equal(valid, MongoGrainStateLayout.IsValidDatabaseName(name));

    [Fact]
    public void A_write_or_clear_matches_only_the_version_the_caller_read()
    {
        var rendered = Render(MongoGrainStateLayout.ByIdAndETag("svc/state/channel/acme/fb-1", "e1"));

        Assert.Equal("svc/state/channel/acme/fb-1", rendered["_id"].AsString);
        Assert.Equal("e1", rendered["etag"].AsString);
    }

    [Fact]
    public void The_document_holds_the_payload_its_etag_and_when_it_changed()
    {
        var at = new DateTimeOffset(2028, 2, 29, 12, 0, 0, TimeSpan.Zero);
        var document = MongoGrainStateLayout.Document("svc/state/tenant/acme", "e2", new BinaryData([1, 2, 3]), at);

        Assert.Equal("svc/state/tenant/acme", document["_id"].AsString);
        Assert.Equal("e2", document["etag"].AsString);
        Assert.Equal(new byte[] { 1, 2, 3 }, document["payload"].AsBsonBinaryData.Bytes);
        Assert.Equal(at.UtcDateTime, document["updatedAt"].ToUniversalTime());
    }
}
