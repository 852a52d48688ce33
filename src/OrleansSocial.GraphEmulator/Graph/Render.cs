using System.Globalization;
using System.Text.Json.Nodes;
using OrleansSocial.GraphEmulator.World;

namespace OrleansSocial.GraphEmulator.Graph;

/// <summary>Graph objects as JSON, honouring <c>fields</c> and field expansion; defaults when no fields are asked.</summary>
public static class Render
{
    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'+0000'", CultureInfo.InvariantCulture);

    public static JsonObject Page(Page page, IReadOnlyList<FieldSpec> fields, Func<Page, string?> pageToken, Func<FieldSpec, JsonNode?>? edges = null)
    {
        var all = new Dictionary<string, Func<FieldSpec, JsonNode?>>
        {
            ["id"] = _ => page.Id,
            ["name"] = _ => page.Name,
            ["username"] = _ => page.Username,
            ["category"] = _ => page.Category,
            ["category_list"] = _ => new JsonArray(new JsonObject { ["id"] = "2201", ["name"] = page.Category }),
            ["about"] = _ => $"About {page.Name}",
            ["description"] = _ => $"{page.Name}, emulated.",
            ["link"] = _ => $"https://www.facebook.com/{page.Id}",
            ["website"] = _ => $"https://{page.Username}.example",
            ["fan_count"] = _ => page.FanCount,
            ["followers_count"] = _ => page.FollowersCount,
            ["verification_status"] = _ => "not_verified",
            ["picture"] = _ => new JsonObject { ["data"] = new JsonObject { ["url"] = $"https://emulator.invalid/{page.Id}/picture.jpg", ["is_silhouette"] = false } },
            ["instagram_business_account"] = f => Link(page.InstagramId, f),
            ["connected_instagram_account"] = f => Link(page.InstagramId, f),
            ["tasks"] = _ => new JsonArray("ANALYZE", "ADVERTISE", "MESSAGING", "MODERATE", "CREATE_CONTENT", "MANAGE"),
            ["access_token"] = _ => pageToken(page),
        };
        return Select("Page", all, fields, ["id", "name"], edges);
    }

    /// <param name="edges">Reads <c>comments</c> as the comments endpoint does (the dispatcher passes it wherever fields are asked).</param>
    public static JsonObject Post(Post post, IReadOnlyList<FieldSpec> fields, DateTimeOffset now, Func<FieldSpec, JsonNode?>? edges = null)
    {
        var all = new Dictionary<string, Func<FieldSpec, JsonNode?>>
        {
            ["id"] = _ => post.Id,
            ["message"] = _ => post.Message,
            ["story"] = _ => null,
            ["created_time"] = _ => Time(post.ScheduledPublishTime ?? post.CreatedTime),
            ["updated_time"] = _ => Time(post.ScheduledPublishTime ?? post.CreatedTime),
            ["permalink_url"] = _ => $"https://www.facebook.com/{post.PageId}/posts/{post.Id.Split('_')[1]}",
            ["full_picture"] = _ => $"https://emulator.invalid/{post.Id}/full.jpg",
            ["status_type"] = _ => "mobile_status_update",
            ["is_published"] = _ => post.Published || post.ScheduledPublishTime <= now,
            ["scheduled_publish_time"] = _ => post.ScheduledPublishTime?.ToUnixTimeSeconds(),
            ["shares"] = _ => new JsonObject { ["count"] = EmulatorWorld.Grown(post.Shares, post.CreatedTime, now) / 4 },
            ["reactions"] = f => Edge([], f, new JsonObject { ["total_count"] = EmulatorWorld.Grown(post.BaseReactions, post.CreatedTime, now), ["viewer_reaction"] = "NONE" }),
            ["attachments"] = _ => new JsonObject { ["data"] = new JsonArray(new JsonObject { ["type"] = "photo", ["media_type"] = "photo", ["url"] = $"https://emulator.invalid/{post.Id}" }) },
        };
        return Select("Post", all, fields, ["id", "message", "created_time"], edges);
    }

    /// <summary>A Page comment (message, created_time, from) or an Instagram one (text, timestamp, username): the nodes differ.</summary>
    public static JsonObject Comment(Comment comment, IReadOnlyList<FieldSpec> fields, bool instagram)
    {
        var all = instagram
            ? new Dictionary<string, Func<FieldSpec, JsonNode?>>
            {
                ["id"] = _ => comment.Id,
                ["text"] = _ => comment.Message,
                ["timestamp"] = _ => Time(comment.CreatedTime),
                ["username"] = _ => comment.FromName.Replace(' ', '_').ToLowerInvariant(),
                ["from"] = _ => new JsonObject { ["id"] = comment.FromId, ["username"] = comment.FromName.Replace(' ', '_').ToLowerInvariant() },
                ["like_count"] = _ => comment.LikeCount,
                ["hidden"] = _ => comment.Hidden,
                ["parent_id"] = _ => comment.ParentId,
            }
            : new Dictionary<string, Func<FieldSpec, JsonNode?>>
            {
                ["id"] = _ => comment.Id,
                ["message"] = _ => comment.Message,
                ["created_time"] = _ => Time(comment.CreatedTime),
                ["from"] = _ => new JsonObject { ["id"] = comment.FromId, ["name"] = comment.FromName },
                ["like_count"] = _ => comment.LikeCount,
                ["comment_count"] = _ => 0,
                ["is_hidden"] = _ => comment.Hidden,
                ["parent"] = _ => comment.ParentId is { } parent ? new JsonObject { ["id"] = parent } : null,
                ["object"] = _ => new JsonObject { ["id"] = comment.ObjectId },
                ["permalink_url"] = _ => $"https://www.facebook.com/{comment.Id}",
            };
        return instagram ? Select("IGComment", all, fields, ["id", "text", "timestamp"]) : Select("Comment", all, fields, ["id", "message", "created_time"]);
    }

    /// <param name="instagramLogin">Read with an Instagram Login token: the node has <c>user_id</c> and <c>account_type</c> too.</param>
    public static JsonObject Account(InstagramAccount account, IReadOnlyList<FieldSpec> fields, int mediaCount, Func<FieldSpec, JsonNode?>? edges = null, bool instagramLogin = false)
    {
        var all = new Dictionary<string, Func<FieldSpec, JsonNode?>>
        {
            ["id"] = _ => account.Id,
            ["ig_id"] = _ => 1_000_000 + account.Index,
            ["username"] = _ => account.Username,
            ["name"] = _ => account.Name,
            ["biography"] = _ => account.Biography,
            ["website"] = _ => $"https://{account.Username}.example",
            ["profile_picture_url"] = _ => $"https://emulator.invalid/{account.Id}/profile.jpg",
            ["followers_count"] = _ => account.FollowersCount,
            ["follows_count"] = _ => account.FollowsCount,
            ["media_count"] = _ => mediaCount,
        };
        if (instagramLogin)
        {
            all["user_id"] = _ => account.Id;
            all["account_type"] = _ => "BUSINESS";
        }

        return Select("IGUser", all, fields, ["id"], edges);
    }

    public static JsonObject Media(Media media, IReadOnlyList<FieldSpec> fields, EmulatorWorld world, DateTimeOffset now, Func<FieldSpec, JsonNode?>? edges = null)
    {
        var comments = world.CommentsOf(media.Id);
        var all = new Dictionary<string, Func<FieldSpec, JsonNode?>>
        {
            ["id"] = _ => media.Id,
            ["caption"] = _ => media.Caption,
            ["media_type"] = _ => media.MediaType,
            ["media_product_type"] = _ => media.Story ? "STORY" : media.MediaType == "VIDEO" ? "REELS" : "FEED",
            ["media_url"] = _ => $"https://emulator.invalid/{media.Id}/media",
            ["thumbnail_url"] = _ => media.MediaType == "VIDEO" ? $"https://emulator.invalid/{media.Id}/thumb.jpg" : null,
            ["permalink"] = _ => $"https://www.instagram.com/p/{media.Id[^8..]}/",
            ["shortcode"] = _ => media.Id[^8..],
            ["timestamp"] = _ => Time(media.Timestamp),
            ["username"] = _ => world.FindAccount(media.AccountId)?.Username,
            ["like_count"] = _ => EmulatorWorld.Grown(media.BaseLikes, media.Timestamp, now),
            ["comments_count"] = _ => comments.Count,
            ["is_comment_enabled"] = _ => true,
        };
        return Select("IGMedia", all, fields, ["id"], edges);
    }

    /// <summary>An edge inside field expansion: data honouring .limit(n), summary when .summary(true).</summary>
    private static JsonObject Edge(IReadOnlyList<JsonNode> items, FieldSpec spec, JsonObject summary)
    {
        var edge = new JsonObject { ["data"] = new JsonArray(items.Take(spec.Limit ?? 25).Select(i => i.DeepClone()).ToArray()) };
        if (spec.Summary)
        {
            edge["summary"] = summary;
        }

        return edge;
    }

    private static JsonObject Link(string id, FieldSpec spec) => new() { ["id"] = id };

    /// <param name="edges">Reads an edge asked for by field expansion the way its own endpoint does (null: not an edge).</param>
    /// <param name="node">The node type Graph names when a field does not exist on it.</param>
    private static JsonObject Select(string node, Dictionary<string, Func<FieldSpec, JsonNode?>> all, IReadOnlyList<FieldSpec> fields, string[] defaults, Func<FieldSpec, JsonNode?>? edges = null)
    {
        var result = new JsonObject();
        var requested = fields.Count > 0 ? fields : defaults.Select(d => new FieldSpec(d, new Dictionary<string, string>(), [])).ToList();
        foreach (var field in requested)
        {
            if (edges?.Invoke(field) is { } edge)
            {
                result[field.Name] = edge;
            }
            else if (all.TryGetValue(field.Name, out var render))
            {
                if (render(field) is { } value)
                {
                    result[field.Name] = value;
                }
            }
            else
            {
                // Graph refuses the whole request; a client that asks a Page comment for Instagram's fields learns it here.
                throw new GraphRequestFailure(GraphErrors.Error(100, $"Tried accessing nonexisting field ({field.Name}) on node type ({node})"));
            }
        }

        if (!result.ContainsKey("id") && all.TryGetValue("id", out var id))
        {
            result["id"] = id(requested[0]);
        }

        return result;
    }
}
