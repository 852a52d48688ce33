using System.Text.Json.Nodes;
using OrleansSocial.GraphEmulator.Webhooks;
using OrleansSocial.GraphEmulator.World;

namespace OrleansSocial.GraphEmulator.Graph;

/// <summary>
/// Comments written through Graph and their moderation (docs/graph-conversations.md, "Comments and replies"), and the webhook
/// subscriptions ("Meta's webhooks" there): no idempotency anywhere (every POST creates), a repeated delete answers
/// 100/33, Instagram replies to replies land on the top-level comment, hidden Instagram comments take
/// no replies. Every change is queued as a webhook, the Page's own comments too.
/// </summary>
internal static class Moderation
{
    /// <summary>POST /{post-or-medium}/comments: a top-level comment written as the Page or account.</summary>
    public static GraphResult Comment(GraphDispatcher dispatcher, EmulatorState state, GraphRequest request, TokenInfo token)
    {
        var objectId = request.Segments[0];
        return dispatcher.CanAccessObject(token, objectId) ? Write(state, request, objectId, null) : Missing(objectId);
    }

    /// <summary>GET or POST /{comment}/comments (Facebook) and /{ig-comment}/replies (Instagram).</summary>
    public static GraphResult Replies(GraphDispatcher dispatcher, EmulatorState state, GraphRequest request, TokenInfo token, Comment parent, IReadOnlyList<FieldSpec> fields)
    {
        var instagram = CommentBoard.IsInstagramId(parent.Id);
        var edge = request.Segments[1];
        if (parent.Deleted || !dispatcher.CanAccessObject(token, parent.ObjectId) || (edge == "replies") != instagram)
        {
            return Missing(parent.Id);
        }

        if (request.Method == "GET")
        {
            var replies = state.Comments.RepliesOf(parent.ParentId ?? parent.Id).ToList();
            if (request["order"] == "reverse_chronological")
            {
                replies.Reverse();
            }

            return dispatcher.Paged(request, replies, c => Render.Comment(c, fields, instagram));
        }

        if (instagram && parent.Hidden)
        {
            return GraphErrors.Error(100, "(#100) Replies cannot be posted on a hidden comment");
        }

        return Write(state, request, parent.ObjectId, parent.Id);
    }

    /// <summary>POST /{comment} hides or shows it (<c>is_hidden</c> on Facebook, <c>hide</c> on Instagram); DELETE removes it.</summary>
    public static GraphResult Change(GraphDispatcher dispatcher, EmulatorState state, GraphRequest request, TokenInfo token, Comment target)
    {
        if (target.Deleted || !dispatcher.CanAccessObject(token, target.ObjectId))
        {
            return Missing(target.Id);
        }

        if (request.Method == "DELETE")
        {
            var deleted = state.Comments.Change(target.Id, c => c with { Deleted = true })!;
            state.Webhooks.Notify(deleted, "remove");
            return Success();
        }

        var instagram = CommentBoard.IsInstagramId(target.Id);
        var value = instagram ? request["hide"] : request["is_hidden"];
        if (value is not ("true" or "false"))
        {
            return GraphErrors.MissingParameter(instagram ? "hide" : "is_hidden");
        }

        var hidden = value == "true";
        var changed = state.Comments.Change(target.Id, c => c with { Hidden = hidden })!;
        if (target.Hidden != hidden)
        {
            state.Webhooks.Notify(changed, hidden ? "hide" : "unhide");
        }

        return Success();
    }

    /// <summary>
    /// GET, POST and DELETE /{page}/subscribed_apps: whether this app is installed on the Page, and for which
    /// fields. On the Instagram host the same edge of an Instagram Login account (<c>/me/subscribed_apps</c>).
    /// </summary>
    public static GraphResult SubscribedApps(GraphDispatcher dispatcher, EmulatorState state, GraphRequest request, TokenInfo token)
    {
        var id = request.Segments[0] == "me" && token.PageId is { } own ? own : request.Segments[0];
        if (token.Type == TokenType.InstagramUser && state.World.FindAccount(id) is { } account && dispatcher.CanAccess(token, account))
        {
            return Installed(state, request, account.Id);
        }

        if (state.World.FindPage(id) is not { } page || !dispatcher.CanAccess(token, page))
        {
            return Missing(id);
        }

        return Installed(state, request, page.Id);
    }

    /// <summary>The app's installation on a Page or an Instagram Login account (the same replace-on-POST rules).</summary>
    private static GraphResult Installed(EmulatorState state, GraphRequest request, string ownerId)
    {
        switch (request.Method)
        {
            case "POST":
                if (request["subscribed_fields"] is not { Length: > 0 } fields)
                {
                    return GraphErrors.MissingParameter("subscribed_fields");
                }

                state.Webhooks.Install(ownerId, [.. fields.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]);
                return Success();
            case "DELETE":
                state.Webhooks.Uninstall(ownerId);
                return Success();
            default:
                var installed = state.Webhooks.InstalledFields(ownerId);
                return GraphResult.Ok(new JsonObject
                {
                    ["data"] = installed is null ? new JsonArray() : new JsonArray(new JsonObject
                    {
                        ["category"] = "Business", ["link"] = "https://emulator.invalid/app", ["name"] = "Emulated App", ["id"] = state.Options.AppId,
                        ["subscribed_fields"] = new JsonArray([.. installed.Select(f => (JsonNode)f)]),
                    }),
                });
        }
    }

    /// <summary>POST /{app-id}/subscriptions with the app token: saved only when the callback answers the handshake.</summary>
    public static async Task<GraphResult> SubscribeAppAsync(EmulatorState state, GraphRequest request, TokenInfo token)
    {
        if (token.Type != TokenType.App)
        {
            return GraphErrors.Error(100, "(#100) An app access token is required");
        }

        if (request["object"] is not ("page" or "instagram") || request["callback_url"] is not { Length: > 0 } callback || request["verify_token"] is not { } verify)
        {
            return GraphErrors.MissingParameter(request["object"] is null ? "object" : request["callback_url"] is null ? "callback_url" : "verify_token");
        }

        if (!await WebhookHandshake.RunAsync(callback, verify, state.Options.WebhookTimeout))
        {
            return GraphErrors.Error(2200, "(#2200) callback verification failed: the callback did not echo hub.challenge");
        }

        var fields = (request["fields"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        state.Webhooks.SaveAppSubscription(new AppSubscription(request["object"]!, callback, verify, fields));
        return GraphResult.Ok(new JsonObject { ["success"] = "true" });
    }

    /// <summary>A comment by the object's owner: the Page on a post, the account on a medium.</summary>
    private static GraphResult Write(EmulatorState state, GraphRequest request, string objectId, string? parentId)
    {
        if (request["message"] is not { Length: > 0 } message)
        {
            return GraphErrors.MissingParameter("message");
        }

        var (authorId, authorName) = state.World.FindMedia(objectId) is { } media && state.World.FindAccount(media.AccountId) is { } account
            ? (account.Id, account.Username)
            : state.World.FindPage(state.World.FindPost(objectId)!.PageId) is { } page ? (page.Id, page.Name) : (objectId, objectId);
        var comment = state.Comments.Add(objectId, parentId, message, authorId, authorName, state.Clock.Now);
        state.Webhooks.Notify(comment, "add");
        return GraphResult.Ok(new JsonObject { ["id"] = comment.Id });
    }

    private static GraphResult Missing(string id) =>
        GraphErrors.Error(100, $"Unsupported post request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation", 33,
            type: "GraphMethodException");

    private static GraphResult Success() => GraphResult.Ok(new JsonObject { ["success"] = true });
}
