using System.Buffers.Text;
using System.Text.Json;

namespace OrleansSocial.Storage.Documents;

/// <summary>
/// Keyset cursors: the sort value and id of the last document of a page, as opaque base64url
/// JSON. The next page starts strictly after that pair, so inserts never shift pages.
/// </summary>
public static class Cursor
{
    public static string Encode(FieldValue? sortValue, string id)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(new CursorPayload(sortValue?.ToJson(), id));
        return Base64Url.EncodeToString(payload);
    }

    public static (FieldValue? SortValue, string Id) Decode(string cursor, SortField? sort)
    {
        try
        {
            var payload = JsonSerializer.Deserialize<CursorPayload>(Base64Url.DecodeFromChars(cursor));
            if (payload?.Id is null || (sort is null) != (payload.V is null))
            {
                throw new InvalidCursorException();
            }

            FieldValue? value = payload.V is { } v ? FieldValue.FromJson(v) : default(FieldValue?);
            if (sort is not null && value!.Value.Kind != sort.Kind)
            {
                throw new InvalidCursorException();
            }

            return (value, payload.Id);
        }
        catch (Exception exception) when (exception is FormatException or JsonException)
        {
            throw new InvalidCursorException();
        }
    }

    /// <summary>Reads the sort field of a stored document for the next cursor.</summary>
    public static FieldValue? SortValueOf(JsonElement body, SortField? sort)
    {
        if (sort is null)
        {
            return null;
        }

        if (!body.TryGetProperty(sort.Field, out var value))
        {
            throw new InvalidOperationException($"Documents sorted by '{sort.Field}' must all hold that field.");
        }

        return FieldValue.FromJson(value);
    }

    private sealed record CursorPayload(JsonElement? V, string Id);
}
