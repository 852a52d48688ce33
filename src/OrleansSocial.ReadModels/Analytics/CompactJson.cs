using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansSocial.ReadModels.Analytics;

/// <summary>
/// A slot's tally stored as <c>[posts, sum, sumOfSquares]</c>: a channel's insights record holds 168 of
/// them and is read and written on every daily run, where field names tripled its size and parse time.
/// </summary>
public sealed class SlotTallyJson : JsonConverter<SlotTally>
{
    public override SlotTally Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        Expect(ref reader, JsonTokenType.StartArray);
        var posts = Number(ref reader).GetInt32();
        var sum = Number(ref reader).GetDouble();
        var squares = Number(ref reader).GetDouble();
        reader.Read();
        Expect(ref reader, JsonTokenType.EndArray);
        return new SlotTally(posts, sum, squares);
    }

    public override void Write(Utf8JsonWriter writer, SlotTally value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        writer.WriteNumberValue(value.Posts);
        writer.WriteNumberValue(value.Sum);
        writer.WriteNumberValue(value.SumOfSquares);
        writer.WriteEndArray();
    }

    internal static ref Utf8JsonReader Number(ref Utf8JsonReader reader)
    {
        reader.Read();
        Expect(ref reader, JsonTokenType.Number);
        return ref reader;
    }

    internal static void Expect(ref Utf8JsonReader reader, JsonTokenType token)
    {
        if (reader.TokenType != token)
        {
            throw new JsonException($"Expected {token}, found {reader.TokenType}.");
        }
    }
}

/// <summary>A day's value stored as <c>[day, value]</c> (a channel's insights record keeps about a hundred).</summary>
public sealed class DayValueJson : JsonConverter<DayValue>
{
    public override DayValue Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        SlotTallyJson.Expect(ref reader, JsonTokenType.StartArray);
        reader.Read();
        var day = JsonSerializer.Deserialize<DateTimeOffset>(ref reader, options);
        var value = SlotTallyJson.Number(ref reader).GetDouble();
        reader.Read();
        SlotTallyJson.Expect(ref reader, JsonTokenType.EndArray);
        return new DayValue(day, value);
    }

    public override void Write(Utf8JsonWriter writer, DayValue value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        JsonSerializer.Serialize(writer, value.Day, options);
        writer.WriteNumberValue(value.Value);
        writer.WriteEndArray();
    }
}
