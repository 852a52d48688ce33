using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansSocial.Posts;
using OrleansSocial.Storage.Documents;

namespace OrleansSocial.ReadModels.Posts;

/// <summary>
/// How a post is found by the calendar without reading the tenant's others: its document carries
/// <c>calendarAt</c> at the top level (the scheduled time and the post id, or <c>~</c> for a draft
/// without a time, so it sorts last) beside its <c>status</c>, and every channel it goes to has a row in
/// <c>post_channels</c> with the same two fields. The post grain writes both; the indexes below serve
/// every calendar query (<see cref="CalendarQuery"/>).
/// </summary>
public static class PostCalendar
{
    public const string SortField = "calendarAt";
    public const string StatusField = "status";
    public const string ChannelField = "channelId";

    /// <summary>Sorts after every time: posts without one come last.</summary>
    public const string Unscheduled = "~";

    public static readonly IReadOnlyList<(string Collection, IndexDefinition Index)> Indexes =
    [
        (Collections.PlannedPosts, new IndexDefinition("calendar", [new IndexField(SortField, FieldKind.String)])),
        (Collections.PlannedPosts, new IndexDefinition("status_calendar", [new IndexField(StatusField, FieldKind.String), new IndexField(SortField, FieldKind.String)])),
        (Collections.PostChannels, new IndexDefinition("channel_calendar", [new IndexField(ChannelField, FieldKind.String), new IndexField(SortField, FieldKind.String)])),
        (Collections.PostChannels, new IndexDefinition("channel_status_calendar",
            [new IndexField(ChannelField, FieldKind.String), new IndexField(StatusField, FieldKind.String), new IndexField(SortField, FieldKind.String)])),
    ];

    /// <summary>Unique per post, ordered by time: the time as stored, a bar, the post id.</summary>
    public static string KeyOf(PostView post) => (post.Content.ScheduledAt is { } at ? StoredTime.Of(at) : Unscheduled) + "|" + post.PostId;

    /// <summary>The post's document with its calendar key at the top level.</summary>
    public static JsonElement Stamped(JsonElement document, PostView post)
    {
        var node = JsonNode.Parse(document.GetRawText())!.AsObject();
        node[SortField] = KeyOf(post);
        return JsonSerializer.SerializeToElement(node);
    }

    /// <summary>Whether a stored post document was written with the calendar key (older versions did not).</summary>
    public static bool IsStamped(JsonElement document) =>
        document.ValueKind == JsonValueKind.Object && document.TryGetProperty(SortField, out var key) && key.ValueKind == JsonValueKind.String;

    public static string RowId(string postId, string channelId) => postId + "|" + channelId;

    /// <summary>One channel's row of a post: what the channel filter pages over.</summary>
    public static PostChannelRow RowOf(PostView post, string channelId) => new(post.PostId, channelId, post.Status, KeyOf(post));
}

/// <summary>A row of <c>post_channels</c>: a post that goes to a channel, with the fields the calendar filters and sorts by.</summary>
public sealed record PostChannelRow(string PostId, string ChannelId, PublicationStatus Status, string CalendarAt);
