using System.Text.Json;
using MongoDB.Bson;
using OrleansSocial.Storage.Mongo;

namespace OrleansSocial.Tests.Storage;

/// <summary>The MongoDB engine's JSON ⇄ BSON conversion, run here without a server: literal keys, exact numbers.</summary>
public sealed class MongoJsonBsonTests
{
    private static BsonDocument Bson(string json) => JsonBson.ToBsonDocument(JsonDocument.Parse(json).RootElement);

    private static string RoundTrip(string json) => JsonBson.ToJson(Bson(json)).GetRawText();

    [Fact]
    public void Extended_json_keys_are_taken_literally()
    {
        var document = Bson("""{"at":{"$date":"nope"},"n":{"$numberLong":"5"}}""");

        Assert.Equal(BsonType.Document, document["at"].BsonType);
        Assert.Equal("nope", document["at"]["$date"].AsString);
        Assert.Equal("5", document["n"]["$numberLong"].AsString);
        Assert.Equal("""{"at":{"$date":"nope"},"n":{"$numberLong":"5"}}""", RoundTrip("""{"at":{"$date":"nope"},"n":{"$numberLong":"5"}}"""));
    }

    [Theory]
    [InlineData("""{"d":12.3}""")]
    [InlineData("""{"d":0.30000000000000004}""")]
    [InlineData("""{"i":2147483647,"l":9223372036854775807,"m":-9223372036854775808}""")]
    [InlineData("""{"big":123456789012345678901234567890}""")]
    [InlineData("""{"s":"12.3","b":true,"z":null,"a":[1,"x",{}]}""")]
    public void Values_come_back_as_they_went_in(string json) => Assert.Equal(json, RoundTrip(json));

    [Fact]
    public void Integers_keep_their_bson_type_by_size()
    {
        var document = Bson("""{"a":1,"b":2147483648,"c":123456789012345678901234567890,"d":1.5}""");

        Assert.Equal(BsonType.Int32, document["a"].BsonType);
        Assert.Equal(BsonType.Int64, document["b"].BsonType);
        Assert.Equal(BsonType.Decimal128, document["c"].BsonType);
        Assert.Equal(BsonType.Double, document["d"].BsonType);
    }

    [Theory]
    [InlineData("""{"x":1e400}""")]
    [InlineData("""{"x":-1e400}""")]
    [InlineData("""{"x":1234567890123456789012345678901234567890}""")]
    public void Numbers_no_bson_type_holds_exactly_are_refused_clearly(string json)
    {
        var error = Assert.Throws<ArgumentException>(() => Bson(json));
        Assert.Contains("MongoDB", error.Message);
    }
}
