using System.Globalization;
using System.Text;
using System.Text.Json;
using MongoDB.Bson;

namespace OrleansSocial.Storage.Mongo;

/// <summary>
/// JSON documents to BSON and back, value by value. Not MongoDB Extended JSON: keys are taken
/// literally (a nested <c>{"$date": ...}</c> stays an object with a key "$date"), integers keep their
/// digits (Int32/Int64, Decimal128 past Int64), doubles come back in their shortest round-trip form.
/// A number no BSON type holds exactly is refused with a clear error instead of being altered.
/// </summary>
public static class JsonBson
{
    public static BsonValue ToBson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => ToBsonDocument(element),
        JsonValueKind.Array => new BsonArray(element.EnumerateArray().Select(ToBson)),
        JsonValueKind.String => new BsonString(element.GetString()),
        JsonValueKind.Number => Number(element),
        JsonValueKind.True => BsonBoolean.True,
        JsonValueKind.False => BsonBoolean.False,
        _ => BsonNull.Value,
    };

    public static BsonDocument ToBsonDocument(JsonElement element)
    {
        var document = new BsonDocument(allowDuplicateNames: false);
        foreach (var property in element.EnumerateObject())
        {
            document.Add(property.Name, ToBson(property.Value));
        }

        return document;
    }

    public static JsonElement ToJson(BsonDocument document)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, document);
        }

        using var json = JsonDocument.Parse(buffer.WrittenMemory);
        return json.RootElement.Clone();
    }

    private static BsonValue Number(JsonElement element)
    {
        if (element.TryGetInt32(out var small))
        {
            return new BsonInt32(small);
        }

        if (element.TryGetInt64(out var large))
        {
            return new BsonInt64(large);
        }

        var text = element.GetRawText();
        var integral = !text.Contains('.') && !text.Contains('e') && !text.Contains('E');
        if (integral)
        {
            // Past Int64: Decimal128 holds 34 significant digits exactly.
            return Decimal128.TryParse(text, out var wide) && wide.ToString() == text.TrimStart('+')
                ? new BsonDecimal128(wide)
                : throw new ArgumentException($"The integer {Shorten(text)} has more digits than MongoDB can store exactly (34).");
        }

        var value = element.GetDouble();
        return double.IsFinite(value)
            ? new BsonDouble(value)
            : throw new ArgumentException($"The number {Shorten(text)} is out of the range MongoDB can store (a 64-bit double).");
    }

    private static void Write(Utf8JsonWriter writer, BsonValue value)
    {
        switch (value.BsonType)
        {
            case BsonType.Document:
                writer.WriteStartObject();
                foreach (var element in value.AsBsonDocument)
                {
                    writer.WritePropertyName(element.Name);
                    Write(writer, element.Value);
                }

                writer.WriteEndObject();
                break;
            case BsonType.Array:
                writer.WriteStartArray();
                foreach (var item in value.AsBsonArray)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            case BsonType.String:
                writer.WriteStringValue(value.AsString);
                break;
            case BsonType.Int32:
                writer.WriteNumberValue(value.AsInt32);
                break;
            case BsonType.Int64:
                writer.WriteNumberValue(value.AsInt64);
                break;
            case BsonType.Double:
                // Utf8JsonWriter writes the shortest text that reads back as the same double: 12.3, not 12.300000000000001.
                writer.WriteNumberValue(value.AsDouble);
                break;
            case BsonType.Decimal128:
                writer.WriteRawValue(value.AsDecimal128.ToString(), skipInputValidation: false);
                break;
            case BsonType.Boolean:
                writer.WriteBooleanValue(value.AsBoolean);
                break;
            case BsonType.Null:
            case BsonType.Undefined:
                writer.WriteNullValue();
                break;
            case BsonType.DateTime:
                // Only documents written by something else hold BSON dates; ours store instants as text.
                writer.WriteStringValue(value.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture));
                break;
            default:
                writer.WriteStringValue(value.ToString());
                break;
        }
    }

    private static string Shorten(string text) => text.Length > 40 ? text[..37] + "..." : text;
}
