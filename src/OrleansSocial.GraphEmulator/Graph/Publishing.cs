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

    public static GraphResult Create(EmulatorState state, GraphRequest request, TokenInfo token)
    {
        var (id, edge) = (request.Segments[0], request.Segments[1]);
        var now = state.Clock.Now;
        var world = state.World;
        if (world.FindPage(id) is { } page && edge is "feed" or "photos")
        {
            if (token.Type != TokenType.Page || token.PageId != page.Id)
            {
                return GraphErrors.Error(200, "(#200) The user hasn't authorized the application to perform this action");
            }

            var message = request["message"] ?? request["caption"] ?? "";
            if (edge == "feed" && message.Length == 0 && request["link"] is null)
            {
                return GraphErrors.MissingParameter("message");
            }

            if (message.Length > 0 && world.LastMessageOf(page) == message)
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

            var post = world.AddPost(page, message, now, published, scheduled);
            return GraphResult.Ok(edge == "photos"
                ? new JsonObject { ["id"] = post.Id.Split('_')[1], ["post_id"] = post.Id }
                : new JsonObject { ["id"] = post.Id });
        }

        if (edge == "comments" && request["message"] is { } text)
        {
            return state.AddComment(id, text, token) is { } comment ? GraphResult.Ok(new JsonObject { ["id"] = comment.Id }) : GraphErrors.NotFound(id);
        }

        if (world.FindAccount(id) is { } account && edge == "media")
        {
            var imageUrl = request["image_url"];
            var videoUrl = request["video_url"];
            if (imageUrl is null && videoUrl is null && request["media_type"] != "CAROUSEL")
            {
                return GraphErrors.MissingParameter("image_url");
            }

            var container = new Container(world.NextContainerId(), account.Id, imageUrl, videoUrl, request["caption"], now, null);
            state.Containers[container.Id] = container;
            return GraphResult.Ok(new JsonObject { ["id"] = container.Id });
        }

        if (world.FindAccount(id) is { } publisher && edge == "media_publish")
        {
            if (request["creation_id"] is not { } creation || !state.Containers.TryGetValue(creation, out var container) || container.AccountId != publisher.Id)
            {
                return GraphErrors.NotFound(request["creation_id"] ?? "creation_id");
            }

            var status = StatusOf(state, container);
            if (status != "FINISHED")
            {
                return status == "PUBLISHED"
                    ? GraphErrors.Error(100, "The media has already been published")
                    : GraphErrors.Error(9007, "Media ID is not available", 2207027);
            }

            if (world.PublishedSince(publisher, now - TimeSpan.FromDays(1)) >= state.Options.PublishingQuota)
            {
                return GraphErrors.Error(9, "You reached maximum number of posts that is allowed to be published by Content Publishing API", 2207042);
            }

            var media = world.AddMedia(publisher, container.Caption ?? "", container.VideoUrl is null ? "IMAGE" : "VIDEO", now);
            state.Containers[container.Id] = container with { PublishedMediaId = media.Id };
            return GraphResult.Ok(new JsonObject { ["id"] = media.Id });
        }

        return GraphErrors.UnsupportedPath();
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
            : "FINISHED";
    }
}
