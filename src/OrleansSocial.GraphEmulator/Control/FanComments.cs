using System.Globalization;
using OrleansSocial.GraphEmulator.Webhooks;
using OrleansSocial.GraphEmulator.World;

namespace OrleansSocial.GraphEmulator.Control;

/// <summary>
/// Fans acting on demand (<c>/__emulator/comments</c>): a comment on a post or medium, a reply to a
/// comment, an edit, a removal, a hide; each changes Graph state and queues the webhook Meta would
/// send. Also the app-level webhook subscription and Meta's delivery log.
/// </summary>
internal static class FanComments
{
    /// <param name="On">A post or medium id (a new comment) or a comment id (a reply); not used with <paramref name="CommentId"/>.</param>
    /// <param name="Verb"><c>add</c> (default), <c>edited</c>, <c>remove</c>, <c>hide</c> or <c>unhide</c>; all but add name <paramref name="CommentId"/>.</param>
    /// <param name="AsOwner">Written as the Page or account itself rather than a fan.</param>
    public sealed record FanAction(string? On, string? CommentId, string? Message, string? Verb, string? FromName, bool? AsOwner);

    public sealed record SubscriptionChange(string? Object, string? CallbackUrl, string? VerifyToken, string? Fields);

    public static void Map(RouteGroupBuilder control)
    {
        control.MapPost("/comments", (FanAction action, EmulatorState state) => Act(state, action));
        // The top-level comments on a post or medium (tests count a first comment here).
        control.MapGet("/objects/{objectId}/comments", (string objectId, EmulatorState state) =>
            state.Comments.TopLevelOf(objectId).Select(c => new { id = c.Id, message = c.Message, fromId = c.FromId, deleted = c.Deleted }));
        control.MapGet("/comments/{id}", (string id, EmulatorState state) =>
            state.Comments.Find(id) is { } comment
                ? Results.Ok(new
                {
                    id = comment.Id, objectId = comment.ObjectId, parentId = comment.ParentId, message = comment.Message, fromId = comment.FromId, fromName = comment.FromName,
                    hidden = comment.Hidden, deleted = comment.Deleted,
                    replies = state.Comments.RepliesOf(comment.Id).Select(r => new { id = r.Id, message = r.Message, fromId = r.FromId, fromName = r.FromName, hidden = r.Hidden }),
                })
                : Results.NotFound());

        // The app-level subscription as the App Dashboard saves it: only after the callback echoes the challenge.
        control.MapPost("/webhooks/subscription", async (SubscriptionChange change, EmulatorState state) =>
        {
            if (change.Object is not ("page" or "instagram") || change.CallbackUrl is null || change.VerifyToken is null)
            {
                return Results.BadRequest(new { error = "object (page|instagram), callbackUrl and verifyToken are required" });
            }

            if (!await WebhookHandshake.RunAsync(change.CallbackUrl, change.VerifyToken, state.Options.WebhookTimeout))
            {
                return Results.BadRequest(new { error = "the callback did not echo hub.challenge" });
            }

            var fields = (change.Fields ?? (change.Object == "page" ? "feed" : "comments")).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            state.Webhooks.SaveAppSubscription(new AppSubscription(change.Object, change.CallbackUrl, change.VerifyToken, fields));
            return Results.Ok(new { success = true });
        });
        control.MapGet("/webhooks/subscriptions", (EmulatorState state) => new[] { "page", "instagram" }
            .Select(o => state.Webhooks.AppSubscriptionFor(o)).OfType<AppSubscription>().Select(s => new { @object = s.Object, callbackUrl = s.CallbackUrl, fields = s.Fields }));
        control.MapGet("/webhooks/subscribed-apps/{pageId}", (string pageId, EmulatorState state) => new { pageId, fields = state.Webhooks.InstalledFields(pageId) });
        control.MapGet("/webhooks/deliveries", (EmulatorState state) => state.Webhooks.Deliveries.Select(d => new
        {
            id = d.Id, @object = d.Object, entryId = d.EntryId, status = d.Status, attempts = d.Attempts, lastStatusCode = d.LastStatusCode, createdAt = d.CreatedAt,
        }));
    }

    private static IResult Act(EmulatorState state, FanAction action)
    {
        var verb = action.Verb ?? "add";
        if (verb == "add")
        {
            if (action.On is null || action.Message is not { Length: > 0 } message)
            {
                return Results.BadRequest(new { error = "on and message are required" });
            }

            var parent = state.Comments.Find(action.On);
            var objectId = parent?.ObjectId ?? action.On;
            if (parent is { Deleted: true } || (parent is null && state.World.FindPost(objectId) is null && state.World.FindMedia(objectId) is null))
            {
                return Results.NotFound(new { error = $"nothing to comment on: {action.On}" });
            }

            var instagram = state.World.FindMedia(objectId) is not null;
            var (fromId, fromName) = action.AsOwner == true ? Owner(state, objectId, instagram) : Fan(action.FromName, instagram);
            var comment = state.Comments.Add(objectId, parent?.Id, message, fromId, fromName, state.Clock.Now);
            state.Webhooks.Notify(comment, "add");
            return Results.Created($"{ControlApi.Prefix}/comments/{comment.Id}", new { id = comment.Id, parentId = comment.ParentId, objectId = comment.ObjectId });
        }

        if (action.CommentId is null || state.Comments.Find(action.CommentId) is not { Deleted: false })
        {
            return Results.NotFound(new { error = "commentId names no live comment" });
        }

        Comment? changed = verb switch
        {
            "edited" when action.Message is { Length: > 0 } text => state.Comments.Change(action.CommentId, c => c with { Message = text }),
            "remove" => state.Comments.Change(action.CommentId, c => c with { Deleted = true }),
            "hide" => state.Comments.Change(action.CommentId, c => c with { Hidden = true }),
            "unhide" => state.Comments.Change(action.CommentId, c => c with { Hidden = false }),
            _ => null,
        };
        if (changed is null)
        {
            return Results.BadRequest(new { error = "verb must be add, edited (with message), remove, hide or unhide" });
        }

        state.Webhooks.Notify(changed, verb);
        return Results.Ok(new { id = changed.Id });
    }

    private static (string Id, string Name) Fan(string? name, bool instagram)
    {
        var fan = Math.Abs((name ?? "fan").GetHashCode(StringComparison.Ordinal)) % 1000;
        var id = (EmulatorWorld.UserBase + 5000 + fan).ToString(CultureInfo.InvariantCulture);
        var shown = name ?? $"Fan {fan}";
        return (id, instagram ? shown.Replace(' ', '_').ToLowerInvariant() : shown);
    }

    private static (string Id, string Name) Owner(EmulatorState state, string objectId, bool instagram)
    {
        if (instagram)
        {
            var account = state.World.FindAccount(state.World.FindMedia(objectId)!.AccountId)!;
            return (account.Id, account.Username);
        }

        var page = state.World.FindPage(state.World.FindPost(objectId)!.PageId)!;
        return (page.Id, page.Name);
    }
}
