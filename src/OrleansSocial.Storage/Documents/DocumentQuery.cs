using System.Text.Json;

namespace OrleansSocial.Storage.Documents;

/// <summary>What a field holds, so every engine compares and indexes it the same way.</summary>
public enum FieldKind
{
    /// <summary>Compared by ordinal (timestamps are ISO 8601 UTC strings and sort as text).</summary>
    String,

    Number,
}

public enum FilterOperator
{
    Equal,
    GreaterThanOrEqual,
    LessThan,
}

/// <summary>A string or number field value.</summary>
public readonly record struct FieldValue
{
    private FieldValue(FieldKind kind, string? text, double number) => (Kind, Text, Number) = (kind, text, number);

    public FieldKind Kind { get; }

    public string? Text { get; }

    public double Number { get; }

    public static FieldValue Of(string text) => new(FieldKind.String, text, 0);

    public static FieldValue Of(double number) => new(FieldKind.Number, null, number);

    public static implicit operator FieldValue(string text) => Of(text);

    public static implicit operator FieldValue(double number) => Of(number);

    public object Boxed => Kind == FieldKind.String ? Text! : Number;

    internal JsonElement ToJson() => Kind == FieldKind.String
        ? JsonSerializer.SerializeToElement(Text)
        : JsonSerializer.SerializeToElement(Number);

    internal static FieldValue FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => Of(element.GetString()!),
        JsonValueKind.Number => Of(element.GetDouble()),
        _ => throw new InvalidCursorException(),
    };
}

public sealed record FieldFilter(string Field, FilterOperator Operator, FieldValue Value)
{
    public static FieldFilter Eq(string field, FieldValue value) => new(field, FilterOperator.Equal, value);

    public static FieldFilter Gte(string field, FieldValue value) => new(field, FilterOperator.GreaterThanOrEqual, value);

    public static FieldFilter Lt(string field, FieldValue value) => new(field, FilterOperator.LessThan, value);
}

/// <summary>The field a query sorts by; documents with equal values are ordered by id.</summary>
public sealed record SortField(string Field, FieldKind Kind, bool Descending = false);

public sealed record DocumentQuery
{
    public const int MaxLimit = 1000;

    public IReadOnlyList<FieldFilter> Filters { get; init; } = [];

    /// <summary>Null sorts by document id.</summary>
    public SortField? Sort { get; init; }

    public int Limit { get; init; } = 25;

    /// <summary>The <see cref="DocumentPage.NextCursor"/> of the previous page.</summary>
    public string? Cursor { get; init; }
}

public sealed record DocumentPage(IReadOnlyList<StoredDocument> Items, string? NextCursor);

public sealed record StoredDocument(string Id, JsonElement Body);

/// <summary>An index over one or more top-level fields, created by name.</summary>
public sealed record IndexDefinition(string Name, IReadOnlyList<IndexField> Fields, bool Unique = false);

public sealed record IndexField(string Field, FieldKind Kind, bool Descending = false);
