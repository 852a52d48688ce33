using System.Text.Json.Nodes;
using OrleansSocial.GraphEmulator.World;

namespace OrleansSocial.GraphEmulator.Graph;

/// <summary>
/// Writes: Page posts (now or scheduled), photos, comments, updates and deletes, and the
/// Instagram container → status → media_publish flow with its publishing quota.
/// </summary>
internal static class Publishing
{
    private static readonly TimeSpan MinimumSchedule = TimeSpan.FromMinutes(10);

    public static GraphResult Create(EmulatorState state, GraphRequest request, TokenInfo token, Func<TokenInfo, InstagramAccount, bool> canAccess)
    {
        var (id, edge) = (request.Segments[0], request.Segments[1]);
        var world = state.World;
        if (world.FindPage(id) is { } page && edge is "feed" or "photos")
        {
            return token.Type != TokenType.Page || token.PageId != page.Id
                ? GraphErrors.Error(200, "(#200) The user hasn't authorized the application to perform this action")
                : edge == "photos" ? Photo(state, request, page) : Feed(state, request, page);
        }

        if (world.FindAccount(id) is { } account && edge is "media" or "media_publish")
        {
            if (!canAccess(token, account))
            {
                return GraphErrors.Error(200, "(#200) The user hasn't authorized the application to perform this action");
            }

            return edge == "media" ? CreateContainer(state, request, account) : PublishContainer(state, request, account);
        }

        return GraphErrors.UnsupportedPath();
    }

    /// <summary>A photo: published at once as a post of its own, or (published=false) uploaded to be attached to a post.</summary>
    private static GraphResult Photo(EmulatorState state, GraphRequest request, Page page)
    {
        if (request["url"] is not { Length: > 0 } url)
        {
            return GraphErrors.MissingParameter("url");
        }

        if (!url.StartsWith("https://", StringComparison.Ordinal) && !url.StartsWith("http://", StringComparison.Ordinal))
        {
            return GraphErrors.Error(100, "(#100) url should represent a valid URL");
        }

        if (request["published"] == "false" && request["scheduled_publish_time"] is null)
        {
            var photo = new UnpublishedPhoto(state.World.NextContainerId(), page.Id, url);
            state.UnpublishedPhotos[photo.Id] = photo;
            return GraphResult.Ok(new JsonObject { ["id"] = photo.Id });
        }

        return Post(state, request, page, request["caption"] ?? request["message"] ?? "", items: 1);
    }

    private static GraphResult Feed(EmulatorState state, GraphRequest request, Page page)
    {
        var message = request["message"] ?? "";
        var attached = new List<string>();
        if (request["attached_media"] is { } json)
        {
            try
            {
                foreach (var item in JsonNode.Parse(json)?.AsArray() ?? [])
                {
                    attached.Add(item?["media_fbid"]?.GetValue<string>() ?? "");
                }
            }
            catch (Exception exception) when (exception is System.Text.Json.JsonException or InvalidOperationException or FormatException)
            {
                return GraphErrors.Error(100, "(#100) param attached_media must be an array of objects with media_fbid");
            }

            if (attached.FirstOrDefault(m => !state.UnpublishedPhotos.TryGetValue(m, out var photo) || photo.PageId != page.Id) is { } unknown)
            {
                return GraphErrors.Error(100, $"(#100) attached_media: media_fbid {unknown} is not an unpublished photo of this Page");
            }
        }

        if (message.Length == 0 && request["link"] is null && attached.Count == 0)
        {
            return GraphErrors.MissingParameter("message");
        }

        var result = Post(state, request, page, message, attached.Count);
        if (result.Status == 200)
        {
            foreach (var photo in attached)
            {
                state.UnpublishedPhotos.TryRemove(photo, out _);
            }
        }

        return result;
    }

    /// <summary>One Page post (now or natively scheduled), with the duplicate check of code 506.</summary>
    private static GraphResult Post(EmulatorState state, GraphRequest request, Page page, string message, int items)
    {
        var now = state.Clock.Now;
        if (message.Length > 0 && state.World.LastMessageOf(page) == message)
        {
            return GraphErrors.Error(506, "Duplicate status message");
        }

        var published = request["published"] != "false";
        DateTimeOffset? scheduled = null;
        if (!published && request["scheduled_publish_time"] is { } scheduledText)
        {
            scheduled = GraphDispatcher.ParseTime(scheduledText);
            if (scheduled is null || scheduled < now + MinimumSchedule || scheduled > now + state.Options.SchedulingWindowMax)
            {
                return GraphErrors.Error(100, "The specified scheduled publish time is invalid.");
            }
        }

        var post = state.World.AddPost(page, message, now, published, scheduled);
        state.Publications.Enqueue(new Publication(post.Id, page.Id, request.Segments[1] == "photos" ? "photo" : "post", message, request["link"], items, now));
        return GraphResult.Ok(request.Segments[1] == "photos"
            ? new JsonObject { ["id"] = post.Id.Split('_')[1], ["post_id"] = post.Id }
            : new JsonObject { ["id"] = post.Id });
    }

    private static GraphResult CreateContainer(EmulatorState state, GraphRequest request, InstagramAccount account)
    {
        var imageUrl = request["image_url"];
        var videoUrl = request["video_url"];
        var isItem = request["is_carousel_item"] == "true";
        List<string>? children = null;
        if (request["media_type"] == "CAROUSEL")
        {
            children = [.. (request["children"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
            if (children.Count is < 2 or > 10)
            {
                return GraphErrors.Error(100, "(#100) A carousel needs 2 to 10 children");
            }

            if (children.FirstOrDefault(c => !state.Containers.TryGetValue(c, out var child) || !child.IsCarouselItem || child.AccountId != account.Id) is { } bad)
            {
                return GraphErrors.Error(100, $"(#100) The carousel child {bad} is not a carousel item container of this account");
            }
        }
        else if (imageUrl is null && videoUrl is null)
        {
            return GraphErrors.MissingParameter("image_url");
        }
        else if (videoUrl is not null && !isItem && request["media_type"] is not ("REELS" or "STORIES"))
        {
            return GraphErrors.Error(100, "(#100) The parameter media_type must be REELS for a video");
        }

        var story = request["media_type"] == "STORIES";
        if (story && (isItem || children is not null))
        {
            return GraphErrors.Error(100, "(#100) A story is one image or one video, not a carousel");
        }

        // A story shows no caption: Graph ignores one sent with it.
        var container = new Container(state.World.NextContainerId(), account.Id, imageUrl, videoUrl, story ? null : request["caption"], state.Clock.Now, null, isItem, children, story);
        state.Containers[container.Id] = container;
        return GraphResult.Ok(new JsonObject { ["id"] = container.Id });
    }

    private static GraphResult PublishContainer(EmulatorState state, GraphRequest request, InstagramAccount publisher)
    {
        var now = state.Clock.Now;
        if (request["creation_id"] is not { } creation || !state.Containers.TryGetValue(creation, out var container) || container.AccountId != publisher.Id)
        {
            return GraphErrors.NotFound(request["creation_id"] ?? "creation_id");
        }

        if (container.IsCarouselItem)
        {
            return GraphErrors.Error(100, "(#100) A carousel item is published through its carousel container");
        }

        lock (container)
        {
            var status = StatusOf(state, state.Containers[creation]);
            if (status != "FINISHED")
            {
                return status == "PUBLISHED"
                    ? GraphErrors.Error(100, "The media has already been published")
                    : status == "IN_PROGRESS" ? GraphErrors.Error(9007, "Media ID is not available", 2207027)
                    : GraphErrors.Error(-2, "The media container has expired", 2207020);
            }

            if (state.World.PublishedSince(publisher, now - TimeSpan.FromDays(1)) >= state.Options.PublishingQuota)
            {
                return GraphErrors.Error(9, "You reached maximum number of posts that is allowed to be published by Content Publishing API", 2207042);
            }

            var type = container.Children is not null ? "CAROUSEL_ALBUM" : container.VideoUrl is null ? "IMAGE" : "VIDEO";
            var media = state.World.AddMedia(publisher, container.Caption ?? "", type, now, container.IsStory);
            state.Containers[container.Id] = container with { PublishedMediaId = media.Id };
            state.Publications.Enqueue(new Publication(media.Id, publisher.Id, container.IsStory ? "story" : type.ToLowerInvariant(), container.Caption ?? "", null, container.Children?.Count ?? 1, now));
            return GraphResult.Ok(new JsonObject { ["id"] = media.Id });
        }
    }

    public static GraphResult Update(EmulatorState state, GraphRequest request, TokenInfo token) =>
        state.World.FindPost(request.Segments[0]) is { } post && token.PageId == post.PageId
            ? GraphResult.Ok(new JsonObject { ["success"] = true })
            : GraphErrors.NotFound(request.Segments[0]);

    public static GraphResult Delete(EmulatorState state, GraphRequest request, TokenInfo token) =>
        state.World.FindPost(request.Segments[0]) is { } post && token.PageId == post.PageId
            ? GraphResult.Ok(new JsonObject { ["success"] = true })
            : GraphErrors.NotFound(request.Segments[0]);

    public static GraphResult Limit(EmulatorState state, InstagramAccount account, IReadOnlyList<FieldSpec> fields)
    {
        var entry = new JsonObject { ["quota_usage"] = state.World.PublishedSince(account, state.Clock.Now - TimeSpan.FromDays(1)) };
        if (fields.Any(f => f.Name == "config"))
        {
            entry["config"] = new JsonObject { ["quota_total"] = state.Options.PublishingQuota, ["quota_duration"] = 86_400 };
        }

        return GraphResult.Ok(new JsonObject { ["data"] = new JsonArray(entry) });
    }

    public static JsonObject RenderContainer(EmulatorState state, Container container, IReadOnlyList<FieldSpec> fields)
    {
        var status = StatusOf(state, container);
        var json = new JsonObject { ["id"] = container.Id };
        if (fields.Count == 0 || fields.Any(f => f.Name == "status_code"))
        {
            json["status_code"] = status;
        }

        if (fields.Any(f => f.Name == "status"))
        {
            json["status"] = status switch
            {
                "FINISHED" => "Finished: Media has been uploaded and it is ready to be published.",
                "IN_PROGRESS" => "In Progress: Media is still being processed.",
                "PUBLISHED" => "Published: Media has been published.",
                _ => "Expired: Media was not published within 24 hours.",
            };
        }

        return json;
    }

    private static string StatusOf(EmulatorState state, Container container)
    {
        var age = state.Clock.Now - container.CreatedAt;
        return container.PublishedMediaId is not null ? "PUBLISHED"
            : age > TimeSpan.FromDays(1) ? "EXPIRED"
            : container.VideoUrl is not null && age < state.Options.VideoProcessing ? "IN_PROGRESS"
            : container.Children?.Any(c => state.Containers.TryGetValue(c, out var child) && StatusOf(state, child) == "IN_PROGRESS") == true ? "IN_PROGRESS"
            : "FINISHED";
    }
}
