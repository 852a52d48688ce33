using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansSocial.Graph.Models;

public sealed record ObjectRef(string Id);

public sealed record CategoryRef(string? Id, string? Name);

/// <summary>A Page the user can act on, from /me/accounts, with its Page token and linked Instagram account.</summary>
public sealed record PageAccount(
    string Id,
    string? Name,
    string? AccessToken,
    string? Category,
    IReadOnlyList<CategoryRef>? CategoryList,
    IReadOnlyList<string>? Tasks,
    ObjectRef? InstagramBusinessAccount);

public sealed record PageProfile(
    string Id,
    string? Name,
    string? Username,
    string? Category,
    string? About,
    string? Description,
    string? Link,
    string? Website,
    long? FanCount,
    long? FollowersCount,
    ObjectRef? InstagramBusinessAccount);

public sealed record EdgeSummary(long? TotalCount);

public sealed record EdgeCursors(string? Before, string? After);

public sealed record EdgePaging(EdgeCursors? Cursors, string? Next);

/// <summary>
/// An edge returned inside field expansion (<c>comments.limit(25).summary(true){…}</c>): its first
/// items, where they go on, and its summary.
/// </summary>
public sealed record ExpandedEdge<T>(IReadOnlyList<T>? Data, EdgePaging? Paging, EdgeSummary? Summary)
{
    public IReadOnlyList<T> Items => Data ?? [];

    /// <summary>The cursor to read the rest from, when Graph says the edge goes on (never inferred from a short page).</summary>
    public string? NextCursor => Paging?.Next is not null ? Paging.Cursors?.After : null;
}

public sealed record ShareCount(long? Count);

public sealed record PagePost(
    string Id,
    string? Message,
    string? Story,
    DateTimeOffset? CreatedTime,
    DateTimeOffset? UpdatedTime,
    string? PermalinkUrl,
    string? FullPicture,
    bool? IsPublished,
    long? ScheduledPublishTime,
    ShareCount? Shares,
    ExpandedEdge<GraphComment>? Comments,
    ExpandedEdge<JsonElement>? Reactions)
{
    public long CommentCount => Comments?.Summary?.TotalCount ?? 0;

    public long ReactionCount => Reactions?.Summary?.TotalCount ?? 0;

    public long ShareCount => Shares?.Count ?? 0;
}

public sealed record CommentAuthor(string? Id, string? Name);

/// <summary>A Page or Instagram comment: Facebook says message/created_time, Instagram text/timestamp.</summary>
public sealed record GraphComment(
    string Id,
    string? Message,
    string? Text,
    DateTimeOffset? CreatedTime,
    DateTimeOffset? Timestamp,
    CommentAuthor? From,
    string? Username,
    long? LikeCount)
{
    public string Body => Message ?? Text ?? "";

    public DateTimeOffset? At => CreatedTime ?? Timestamp;
}

public sealed record InstagramProfile(
    string Id,
    string? Username,
    string? Name,
    string? Biography,
    string? Website,
    string? ProfilePictureUrl,
    long? FollowersCount,
    long? FollowsCount,
    long? MediaCount);

public sealed record InstagramMedia(
    string Id,
    string? Caption,
    string? MediaType,
    string? MediaProductType,
    string? MediaUrl,
    string? ThumbnailUrl,
    string? Permalink,
    DateTimeOffset? Timestamp,
    long? LikeCount,
    long? CommentsCount,
    ExpandedEdge<GraphComment>? Comments = null);

/// <summary>An insight value: a number, or an object of breakdowns (country, city, type...).</summary>
[JsonConverter(typeof(InsightNumberConverter))]
public sealed record InsightNumber(double? Number, IReadOnlyDictionary<string, double>? Breakdown)
{
    public double Total => Number ?? Breakdown?.Values.Sum() ?? 0;
}

public sealed record InsightValue(InsightNumber? Value, DateTimeOffset? EndTime);

public sealed record InsightTotal(InsightNumber? Value, JsonElement? Breakdowns);

public sealed record InsightSeries(
    string Name,
    string? Period,
    IReadOnlyList<InsightValue>? Values,
    InsightTotal? TotalValue,
    string? Title,
    string? Description,
    string? Id);

/// <summary>Insights with the metrics the API refused (invalid or deprecated) dropped and named.</summary>
public sealed record InsightsResult(IReadOnlyList<InsightSeries> Series, IReadOnlyList<string> RejectedMetrics);

/// <summary>Insights asked inside a node's fields: <c>insights.metric(…).period(…).since(…).until(…)</c>.</summary>
public sealed record InsightsQuery(IReadOnlyList<string> Metrics, string Period, DateTimeOffset Since, DateTimeOffset Until)
{
    public string Expansion => FormattableString.Invariant($"insights.metric({string.Join(',', Metrics)}).period({Period}).since({Since.ToUnixTimeSeconds()}).until({Until.ToUnixTimeSeconds()})");
}

/// <summary>A Page's daily picture from one request: its profile, posts since a time with their first comments, and insights.</summary>
public sealed record PageSnapshot(PageProfile Profile, IReadOnlyList<PagePost> Posts, string? MorePostsAfter, IReadOnlyList<InsightSeries> Insights);

/// <summary>An Instagram account's daily picture from one request: profile, newest media with their first comments, and insights.</summary>
public sealed record InstagramSnapshot(InstagramProfile Profile, IReadOnlyList<InstagramMedia> Media, string? MoreMediaAfter, IReadOnlyList<InsightSeries> Insights);

/// <summary>The first page of one object's comments from a batch; <see cref="HasMore"/> when they continue.</summary>
public sealed record CommentsOf(string ObjectId, IReadOnlyList<GraphComment> Comments, bool HasMore);

public sealed record ContainerStatus(string Id, string? StatusCode, string? Status);

public sealed record PublishingConfig(int? QuotaTotal, int? QuotaDuration);

public sealed record PublishingLimit(int QuotaUsage, PublishingConfig? Config);

public sealed record CreatedObject(string Id, string? PostId);

internal sealed class InsightNumberConverter : JsonConverter<InsightNumber>
{
    public override InsightNumber? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                return new InsightNumber(reader.GetDouble(), null);
            case JsonTokenType.String when double.TryParse(reader.GetString(), System.Globalization.CultureInfo.InvariantCulture, out var parsed):
                return new InsightNumber(parsed, null);
            case JsonTokenType.StartObject:
                using (var document = JsonDocument.ParseValue(ref reader))
                {
                    var breakdown = new Dictionary<string, double>(StringComparer.Ordinal);
                    foreach (var property in document.RootElement.EnumerateObject())
                    {
                        if (property.Value.ValueKind == JsonValueKind.Number)
                        {
                            breakdown[property.Name] = property.Value.GetDouble();
                        }
                    }

                    return new InsightNumber(null, breakdown);
                }

            default:
                reader.Skip();
                return null;
        }
    }

    public override void Write(Utf8JsonWriter writer, InsightNumber value, JsonSerializerOptions options)
    {
        if (value.Number is { } number)
        {
            writer.WriteNumberValue(number);
        }
        else
        {
            JsonSerializer.Serialize(writer, value.Breakdown, options);
        }
    }
}
