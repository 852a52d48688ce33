using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansSocial.Storage.Documents;

namespace OrleansSocial.ReadModels;

/// <summary>
/// How records become documents and back, for writers and readers alike: camelCase, enums as
/// snake_case strings, instants as fixed-width UTC text (<see cref="StoredTime"/>) so they sort as
/// text in every engine. Reads accept any ISO 8601 instant.
/// </summary>
public static class DocumentJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower), new StoredInstantConverter() },
    };

    public static JsonElement ToJson<T>(T value) => JsonSerializer.SerializeToElement(value, Options);

    public static T FromJson<T>(JsonElement element) => element.Deserialize<T>(Options)!;

    /// <summary>A stored document, or null when it no longer reads as <typeparamref name="T"/> (damaged, or from a wrong version).</summary>
    public static T? TryRead<T>(JsonElement element) where T : class
    {
        try
        {
            return element.Deserialize<T>(Options);
        }
        catch (Exception exception) when (exception is JsonException or NotSupportedException or InvalidOperationException or ArgumentException or FormatException)
        {
            return null;
        }
    }

    private sealed class StoredInstantConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(StoredTime.Of(value));
    }
}
