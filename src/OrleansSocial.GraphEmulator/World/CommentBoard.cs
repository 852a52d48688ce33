using System.Collections.Concurrent;
using System.Globalization;

namespace OrleansSocial.GraphEmulator.World;

/// <summary>
/// Comments as they change: the seeded ones of the world, overlaid by every edit, hide and delete,
/// plus the comments and replies made since (by fans through the control surface, by the Page or
/// account through Graph). Ids keep the real formats: a Facebook comment id starts with its post's
/// object id, an Instagram one is a digit string.
/// </summary>
public sealed class CommentBoard(EmulatorWorld world)
{
    /// <summary>Instagram comments made at run time; above every seeded id.</summary>
    public const long DynamicInstagramBase = 17990000000000000;

    private readonly ConcurrentDictionary<string, Comment> _changed = new();
    private readonly ConcurrentDictionary<string, List<string>> _children = new();
    private long _next;

    public static bool IsInstagramId(string id) => !id.Contains('_');

    /// <summary>A comment by id, seeded or made since, deleted ones included (the caller decides what "gone" means).</summary>
    public Comment? Find(string id)
    {
        if (_changed.TryGetValue(id, out var changed))
        {
            return changed;
        }

        var owner = SeededOwnerOf(id);
        return owner is null ? null : world.CommentsOf(owner).FirstOrDefault(c => c.Id == id);
    }

    /// <summary>The top-level comments of a post or medium, oldest first, without deleted ones.</summary>
    public IReadOnlyList<Comment> TopLevelOf(string objectId)
    {
        var seeded = world.CommentsOf(objectId).Select(c => _changed.GetValueOrDefault(c.Id) ?? c);
        return [.. seeded.Concat(Made(objectId)).Where(c => !c.Deleted).OrderBy(c => c.CreatedTime).ThenBy(c => c.Id, StringComparer.Ordinal)];
    }

    /// <summary>The replies of a top-level comment, oldest first, without deleted ones.</summary>
    public IReadOnlyList<Comment> RepliesOf(string commentId) =>
        [.. Made(commentId).Where(c => !c.Deleted).OrderBy(c => c.CreatedTime).ThenBy(c => c.Id, StringComparer.Ordinal)];

    /// <summary>
    /// A new comment on <paramref name="objectId"/>, or a reply when <paramref name="parentId"/> is given
    /// (Instagram re-parents a reply to a reply onto the top-level comment).
    /// </summary>
    public Comment Add(string objectId, string? parentId, string message, string fromId, string fromName, DateTimeOffset now)
    {
        if (parentId is not null && Find(parentId) is { ParentId: { } top })
        {
            parentId = top;
        }

        var n = Interlocked.Increment(ref _next);
        var id = IsInstagramId(objectId)
            ? (DynamicInstagramBase + n).ToString(CultureInfo.InvariantCulture)
            : $"{objectId.Split('_').Last()}_{(EmulatorWorld.CommentBase + 90_000_000_000 + n).ToString(CultureInfo.InvariantCulture)}";
        var comment = new Comment(id, objectId, message, now, fromId, fromName, 0, parentId);
        _changed[id] = comment;
        var siblings = _children.GetOrAdd(parentId ?? objectId, _ => []);
        lock (siblings)
        {
            siblings.Add(id);
        }

        return comment;
    }

    /// <summary>Changes a comment; null when there is none by that id.</summary>
    public Comment? Change(string id, Func<Comment, Comment> change)
    {
        while (Find(id) is { } current)
        {
            var next = change(current);
            if (_changed.TryGetValue(id, out var stored) ? _changed.TryUpdate(id, next, stored) : _changed.TryAdd(id, next))
            {
                return next;
            }
        }

        return null;
    }

    private IEnumerable<Comment> Made(string key)
    {
        if (!_children.TryGetValue(key, out var ids))
        {
            return [];
        }

        lock (ids)
        {
            return ids.Select(id => _changed[id]).ToList();
        }
    }

    /// <summary>The post or medium a seeded comment id belongs to, from the id alone.</summary>
    private string? SeededOwnerOf(string id)
    {
        if (!IsInstagramId(id))
        {
            var part = id.Split('_')[0];
            return long.TryParse(part, out var objectPart) && objectPart >= EmulatorWorld.PostBase
                ? $"{EmulatorWorld.PageBase + (objectPart - EmulatorWorld.PostBase) / 100_000}_{part}"
                : null;
        }

        return long.TryParse(id, out var n) && n >= EmulatorWorld.MediaCommentBase && n < DynamicInstagramBase
            ? (EmulatorWorld.MediaBase + (n - EmulatorWorld.MediaCommentBase) / 10).ToString(CultureInfo.InvariantCulture)
            : null;
    }
}
