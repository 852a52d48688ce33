using System.Globalization;
using System.Text.Json;
using OrleansSocial.Inbox;

namespace OrleansSocial.Grains.Inbox;

/// <summary>A comment change a notification carried, and the platform account it names.</summary>
public sealed record AccountCommentEvent(string AccountId, CommentEvent Event);

/// <summary>
/// Reads Meta's notification bodies (docs/graph-conversations.md, "Meta's webhooks") into comment events: Page <c>feed</c>
/// changes with <c>item: comment</c> and Instagram <c>comments</c>, whether the changes sit in
/// <c>entry[].changes[]</c> or directly under the entry. Anything else (reactions, messaging, fields
/// without values) is skipped, never an error: Meta only needs to hear we took the notification.
/// </summary>
public static class MetaNotifications
{
    public static IReadOnlyList<AccountCommentEvent> Read(JsonElement root)
    {
        var events = new List<AccountCommentEvent>();
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("entry", out var entries) || entries.ValueKind != JsonValueKind.Array)
        {
            return events;
        }

        var instagram = Text(root, "object") == "instagram";
        foreach (var entry in entries.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Object || Text(entry, "id") is not { } accountId)
            {
                continue;
            }

            var sentAt = Time(entry, "time");
            var changes = entry.TryGetProperty("changes", out var list) && list.ValueKind == JsonValueKind.Array ? list.EnumerateArray().ToList() : [entry];
            foreach (var change in changes)
            {
                if (change.ValueKind != JsonValueKind.Object || !change.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                var parsed = Text(change, "field") switch
                {
                    "feed" when !instagram => Feed(value),
                    "comments" or "live_comments" when instagram => Instagram(value, sentAt),
                    _ => null,
                };
                if (parsed is not null)
                {
                    events.Add(new AccountCommentEvent(accountId, parsed));
                }
            }
        }

        return events;
    }

    private static CommentEvent? Feed(JsonElement value)
    {
        if (Text(value, "item") != "comment" || Text(value, "comment_id") is not { } commentId || Text(value, "post_id") is not { } postId
            || Text(value, "verb") is not { } verb || !CommentVerbs.All.Contains(verb))
        {
            return null;
        }

        var parent = Text(value, "parent_id");
        var from = value.TryGetProperty("from", out var f) && f.ValueKind == JsonValueKind.Object ? f : default;
        var permalink = value.TryGetProperty("post", out var post) && post.ValueKind == JsonValueKind.Object ? Text(post, "permalink_url") : null;
        return new CommentEvent(commentId, parent is null || parent == postId ? null : parent, postId, verb,
            from.ValueKind == JsonValueKind.Object ? Text(from, "id") : Text(value, "sender_id"),
            from.ValueKind == JsonValueKind.Object ? Text(from, "name") : Text(value, "sender_name"),
            Text(value, "message"), Time(value, "created_time"), permalink, "webhook");
    }

    private static CommentEvent? Instagram(JsonElement value, DateTimeOffset? sentAt)
    {
        if (Text(value, "id") is not { } commentId || !value.TryGetProperty("media", out var media) || media.ValueKind != JsonValueKind.Object || Text(media, "id") is not { } mediaId)
        {
            return null;
        }

        var from = value.TryGetProperty("from", out var f) && f.ValueKind == JsonValueKind.Object ? f : default;
        return new CommentEvent(commentId, Text(value, "parent_id"), mediaId, CommentVerbs.Add,
            from.ValueKind == JsonValueKind.Object ? Text(from, "id") : null,
            from.ValueKind == JsonValueKind.Object ? Text(from, "username") : null,
            Text(value, "text"), sentAt, null, "webhook");
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;

    /// <summary>Unix seconds, or milliseconds when the number is that large; ISO text too.</summary>
    private static DateTimeOffset? Time(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number))
        {
            return number > 1_000_000_000_000 ? DateTimeOffset.FromUnixTimeMilliseconds(number) : DateTimeOffset.FromUnixTimeSeconds(number);
        }

        return value.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(value.GetString()?.Replace("+0000", "+00:00"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : null;
    }
}
