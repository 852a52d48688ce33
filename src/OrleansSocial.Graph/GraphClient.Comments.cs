using System.Text.Json;
using OrleansSocial.Graph.Json;
using OrleansSocial.Graph.Models;

namespace OrleansSocial.Graph;

/// <summary>
/// Conversations (docs/graph-conversations.md): replies, moderation and the webhook
/// subscriptions. None of these writes is retried here: a reply has no idempotency on Graph, so the
/// caller records it first and reads back after an unknown outcome.
/// </summary>
public sealed partial class GraphClient
{
    /// <summary>POST /{comment}/comments (Facebook) or /{ig-comment}/replies (Instagram), written as the Page or account.</summary>
    public async Task<GraphResult<CreatedObject>> ReplyToCommentAsync(string commentId, string token, string message, bool instagram, CancellationToken cancellationToken = default)
    {
        var (json, usage) = await SendAsync(HttpMethod.Post, $"{commentId}/{(instagram ? "replies" : "comments")}", token, [("message", message)], cancellationToken);
        return new(json.Deserialize<CreatedObject>(GraphJson.Options)!, usage);
    }

    /// <summary>POST /{post-or-medium}/comments: a top-level comment written as the Page or account (a post's first comment).</summary>
    public async Task<GraphResult<CreatedObject>> CommentOnAsync(string objectId, string token, string message, CancellationToken cancellationToken = default)
    {
        var (json, usage) = await SendAsync(HttpMethod.Post, $"{objectId}/comments", token, [("message", message)], cancellationToken);
        return new(json.Deserialize<CreatedObject>(GraphJson.Options)!, usage);
    }

    /// <summary>The top-level comments of a Page post or Instagram medium, newest first where Graph can order them (a first comment's read-back).</summary>
    public IAsyncEnumerable<GraphPage<GraphComment>> GetCommentsOnAsync(string objectId, string token, bool instagram, int maxItems, CancellationToken cancellationToken = default) =>
        instagram
            ? PagesAsync<GraphComment>($"{objectId}/comments", token, [("fields", "id,text,timestamp,username,from{id,username}"), ("limit", "50")], maxItems, cancellationToken)
            : PagesAsync<GraphComment>($"{objectId}/comments", token,
                [("fields", "id,message,created_time,from{id,name}"), ("filter", "toplevel"), ("order", "reverse_chronological"), ("limit", "50")], maxItems, cancellationToken);

    /// <summary>The replies of a comment, newest first where Graph can order them (what a read-back looks through).</summary>
    public IAsyncEnumerable<GraphPage<GraphComment>> GetRepliesAsync(string commentId, string token, bool instagram, int maxItems, CancellationToken cancellationToken = default) =>
        instagram
            ? PagesAsync<GraphComment>($"{commentId}/replies", token, [("fields", "id,text,timestamp,username,from{id,username}"), ("limit", "50")], maxItems, cancellationToken)
            : PagesAsync<GraphComment>($"{commentId}/comments", token,
                [("fields", "id,message,created_time,from{id,name}"), ("filter", "stream"), ("order", "reverse_chronological"), ("limit", "50")], maxItems, cancellationToken);

    /// <summary>POST /{comment} with <c>is_hidden</c> (Facebook) or <c>hide</c> (Instagram). Setting a state twice is harmless.</summary>
    public async Task<GraphUsage> SetCommentHiddenAsync(string commentId, string token, bool hidden, bool instagram, CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Post, commentId, token, [(instagram ? "hide" : "is_hidden", hidden ? "true" : "false")], cancellationToken)).Usage;

    /// <summary>DELETE /{comment}. A comment already gone answers 100/33, which callers count as done.</summary>
    public async Task<GraphUsage> DeleteCommentAsync(string commentId, string token, CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Delete, commentId, token, [], cancellationToken)).Usage;

    /// <summary>Installs this app on the Page of <paramref name="pageToken"/> for <paramref name="fields"/> (the full set: a POST replaces it).</summary>
    public async Task<GraphUsage> SubscribePageAsync(string pageId, string pageToken, IReadOnlyList<string> fields, CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Post, $"{pageId}/subscribed_apps", pageToken, [("subscribed_fields", string.Join(',', fields))], cancellationToken)).Usage;

    public async Task<GraphUsage> UnsubscribePageAsync(string pageId, string pageToken, CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Delete, $"{pageId}/subscribed_apps", pageToken, [], cancellationToken)).Usage;

    /// <summary>
    /// The app-level subscription (POST /{app-id}/subscriptions with the app token): Meta runs the
    /// verification handshake against <paramref name="callbackUrl"/> before it saves it.
    /// </summary>
    public async Task SubscribeAppAsync(string @object, string callbackUrl, string verifyToken, IReadOnlyList<string> fields, CancellationToken cancellationToken = default)
    {
        var (id, secret) = RequireApp();
        await SendAsync(HttpMethod.Post, $"{id}/subscriptions", $"{id}|{secret}",
            [("object", @object), ("callback_url", callbackUrl), ("verify_token", verifyToken), ("fields", string.Join(',', fields)), ("include_values", "true")], cancellationToken);
    }

    /// <summary>Whether Meta's webhooks can reach us (a verify token is configured); otherwise comments are polled.</summary>
    public bool WebhooksConfigured => !string.IsNullOrEmpty(Options.WebhookVerifyToken);

    /// <summary>A comment deleted or unknown on the platform (100 with subcode 33): for a delete, the work is done.</summary>
    public static bool IsGone(GraphException exception) => exception.Code == 100 && exception.Subcode == 33;
}
