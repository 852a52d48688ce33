using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using OrleansSocial.GraphEmulator.World;

namespace OrleansSocial.GraphEmulator.Graph;

/// <summary>
/// Every Graph call, from HTTP or from a batch operation: faults, token checks, rate
/// accounting and usage headers, then the endpoint. One place, so batch operations count
/// and fail exactly like single calls.
/// </summary>
public sealed partial class GraphDispatcher(EmulatorState state)
{
    private EmulatorWorld World => state.World;

    private DateTimeOffset Now => state.Clock.Now;

    public async Task<GraphResult> HandleAsync(GraphRequest request)
    {
        var result = await HandleCoreAsync(request);
        state.Log.Record(request, result.Status);
        return result;
    }

    private async Task<GraphResult> HandleCoreAsync(GraphRequest request)
    {
        var fault = state.Faults.Take(request);
        if (fault is { DropAfterProcessing: true })
        {
            var processed = await HandleUnfaultedAsync(request);
            // The latency comes after the work here: the server has acted while the client still waits.
            if (fault.LatencyMs > 0)
            {
                await Task.Delay(fault.LatencyMs);
            }

            processed.DropConnection = true;
            return processed;
        }

        if (fault is not null)
        {
            if (fault.LatencyMs > 0)
            {
                await Task.Delay(fault.LatencyMs);
            }

            if (fault.HttpStatus is { } status)
            {
                return new GraphResult(status, JsonValue.Create("Bad Gateway")!);
            }

            if (fault.Code is { } code)
            {
                return GraphErrors.Error(code, fault.Message ?? "Injected fault", fault.Subcode, transient: fault.IsTransient);
            }
        }

        return await HandleUnfaultedAsync(request);
    }

    private async Task<GraphResult> HandleUnfaultedAsync(GraphRequest request)
    {

        if (request.Method == "POST" && request.Segments.Count == 0)
        {
            // Batch requests are a graph.facebook.com feature; the Instagram host documents none.
            return request.InstagramHost ? GraphErrors.UnsupportedPath() : await new BatchRunner(this).RunAsync(request);
        }

        if (request.InstagramHost && request.Segments is ["access_token"] or ["refresh_access_token"])
        {
            return InstagramToken(request);
        }

        if (!request.InstagramHost && request.Segments is ["oauth", "access_token"])
        {
            return Exchange(request);
        }

        if (request.Token is null)
        {
            return GraphErrors.Error(104, "An access token is required to request this resource.");
        }

        var token = state.Tokens.Find(request.Token);
        if (token is null)
        {
            return GraphErrors.BadToken(null, "Invalid OAuth access token - Cannot parse access token");
        }

        // Each host parses only its own tokens: an Instagram Login token means nothing to graph.facebook.com and back.
        if ((token.Type == TokenType.InstagramUser) != request.InstagramHost)
        {
            return GraphErrors.BadToken(null, "Invalid OAuth access token - Cannot parse access token");
        }

        if (token.RevokedSubcode is { } revoked)
        {
            return GraphErrors.BadToken(revoked, "Error validating access token: The session has been invalidated.");
        }

        if (token.ExpiresAt is { } expires && expires <= Now)
        {
            return GraphErrors.BadToken(463, $"Error validating access token: Session has expired on {expires:R}. The current time is {Now:R}.");
        }

        if (state.Options.RequireAppSecretProof && token.Type != TokenType.App && ProofProblem(request) is { } proof)
        {
            return proof;
        }

        if (request.Segments is ["debug_token"] && !request.InstagramHost)
        {
            return DebugToken(request, token);
        }

        // /me/{edge} on the Instagram host is the token's own account.
        if (token.Type == TokenType.InstagramUser && request.Segments is ["me", _, ..])
        {
            request = request with { Segments = [token.UserId, .. request.Segments.Skip(1)] };
        }

        if (request.Method == "POST" && request.Segments is [var app, "subscriptions"] && app == state.Options.AppId)
        {
            return await Moderation.SubscribeAppAsync(state, request, token);
        }

        var (kind, bucket) = BucketOf(request, token);
        if (state.Buckets.IsFull(kind, bucket, Now))
        {
            var throttled = GraphErrors.Throttled(kind);
            throttled.Headers.Add(RateBuckets.Header(state.Buckets.Count(kind, bucket, Now, CallCost.Plain)));
            return throttled;
        }

        GraphResult result;
        try
        {
            result = Route(request, token);
        }
        catch (GraphRequestFailure failure)
        {
            result = failure.Result;
        }

        result.Headers.Add(RateBuckets.Header(state.Buckets.Count(kind, bucket, Now, result.Status < 400 ? CallCost.Of(request, result.Body) : CallCost.Plain)));
        return result;
    }

    private GraphResult? ProofProblem(GraphRequest request)
    {
        var proof = request["appsecret_proof"];
        if (proof is null)
        {
            return GraphErrors.Error(100, "API calls from the server require an appsecret_proof argument", type: "GraphMethodException");
        }

        var secret = request.InstagramHost ? state.Options.InstagramAppSecret : state.Options.AppSecret;
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(request.Token!)));
        return proof == expected ? null : GraphErrors.Error(100, "Invalid appsecret_proof provided in the API argument", type: "GraphMethodException");
    }

    /// <summary>Instagram objects spend their account's budget; Page tokens their Page's; user and app tokens the app's.</summary>
    private (string Kind, string ObjectId) BucketOf(GraphRequest request, TokenInfo token)
    {
        var target = request.Segments.FirstOrDefault() ?? "";
        var account = World.FindAccount(target) ?? (World.FindMedia(target) is { } media ? World.FindAccount(media.AccountId) : null)
            ?? (state.Containers.TryGetValue(target, out var container) ? World.FindAccount(container.AccountId) : null);
        if (account is not null)
        {
            return ("instagram", account.Id);
        }

        if (token.Type == TokenType.InstagramUser)
        {
            return ("instagram", token.UserId);
        }

        return token.Type == TokenType.Page ? ("pages", token.PageId!) : ("app", state.Options.AppId);
    }

    private GraphResult Route(GraphRequest request, TokenInfo token)
    {
        var fields = FieldSpec.Parse(request["fields"]);
        var segments = request.Segments;
        return (request.Method, segments.Count) switch
        {
            ("GET", 0) when request["ids"] is { } ids => MultiRead(request, ids, fields, token),
            ("GET", 1) when segments[0] == "me" => Me(request, token, fields),
            ("GET", 2) when segments[1] == "accounts" => Accounts(request, token, fields),
            (_, 2) when segments[1] == "subscribed_apps" => Moderation.SubscribedApps(this, state, request, token),
            (_, 2) when segments[1] is "comments" or "replies" && state.Comments.Find(segments[0]) is { } parent
                => Moderation.Replies(this, state, request, token, parent, fields),
            ("POST", 2) when segments[1] == "comments" => Moderation.Comment(this, state, request, token),
            (_, 1) when request.Method is "POST" or "DELETE" && state.Comments.Find(segments[0]) is { } target => Moderation.Change(this, state, request, token, target),
            ("GET", 1) => ReadObject(segments[0], fields, token, request) ?? GraphErrors.NotFound(segments[0]),
            ("GET", >= 2) when segments[1] == "insights" => Insights(request, token),
            ("GET", 2) => ReadEdge(request, token, fields),
            ("POST", 2) => Publishing.Create(state, request, token, CanAccess),
            ("POST", 1) => Publishing.Update(state, request, token),
            ("DELETE", 1) => Publishing.Delete(state, request, token),
            _ => GraphErrors.UnsupportedPath(),
        };
    }

    internal bool CanAccess(TokenInfo token, Page page) => token.Type switch
    {
        TokenType.App => true,
        TokenType.Page => token.PageId == page.Id,
        TokenType.User => page.OwnerUserId == token.UserId,
        _ => false,
    };

    /// <summary>An Instagram account: its own Instagram Login token, or whoever may act on its linked Page.</summary>
    internal bool CanAccess(TokenInfo token, InstagramAccount account) => token.Type switch
    {
        TokenType.App => true,
        TokenType.InstagramUser => token.UserId == account.Id,
        _ => account.PageId is { } pageId && World.FindPage(pageId) is { } page && CanAccess(token, page),
    };

    /// <summary>A Page post through its Page, an Instagram medium through its account.</summary>
    internal bool CanAccessObject(TokenInfo token, string objectId) =>
        World.FindPost(objectId) is { } post ? CanAccess(token, World.FindPage(post.PageId)!)
        : World.FindMedia(objectId) is { } media && World.FindAccount(media.AccountId) is { } account && CanAccess(token, account);

    private GraphResult Me(GraphRequest request, TokenInfo token, IReadOnlyList<FieldSpec> fields)
    {
        if (token.Type == TokenType.InstagramUser)
        {
            var own = World.FindAccount(token.UserId)!;
            return GraphResult.Ok(Render.Account(own, fields.Count > 0 ? fields : FieldSpec.Parse("user_id,username"), World.MediaOf(own).Count,
                NestedEdges(request, own.Id, token), instagramLogin: true));
        }

        if (token.Type == TokenType.Page)
        {
            return GraphResult.Ok(Render.Page(World.FindPage(token.PageId!)!, fields, _ => null, NestedEdges(request, token.PageId!, token)));
        }

        var user = World.FindUser(token.UserId);
        return user is null ? GraphErrors.Error(2500, "An active access token must be used to query information about the current user.")
            : GraphResult.Ok(new JsonObject { ["id"] = user.Id, ["name"] = user.Name });
    }

    private GraphResult Accounts(GraphRequest request, TokenInfo token, IReadOnlyList<FieldSpec> fields)
    {
        if (token.Type != TokenType.User || (request.Segments[0] != "me" && request.Segments[0] != token.UserId))
        {
            return GraphErrors.NotFound(request.Segments[0]);
        }

        var user = World.FindUser(token.UserId)!;
        var requested = fields.Count > 0 ? fields : FieldSpec.Parse("access_token,category,category_list,name,id,tasks");
        var pages = World.PagesOf(user).ToList();
        return Paged(request, pages, p => Render.Page(p, requested, page => state.Tokens.PageTokenFor(token, page, Now).Token),
            summary: request["summary"] is "total_count" or "true" ? new JsonObject { ["total_count"] = pages.Count } : null);
    }

    /// <param name="context">The request asking, when <paramref name="fields"/> may expand edges.</param>
    internal JsonObject? RenderObject(string id, IReadOnlyList<FieldSpec> fields, TokenInfo token, GraphRequest? context = null)
    {
        var edges = context is null ? null : NestedEdges(context, id, token);
        if (World.FindPage(id) is { } page)
        {
            return CanAccess(token, page) ? Render.Page(page, fields, p => token.Type == TokenType.User ? state.Tokens.PageTokenFor(token, p, Now).Token : null, edges) : null;
        }

        if (World.FindPost(id) is { } post)
        {
            return CanAccess(token, World.FindPage(post.PageId)!) ? Render.Post(post, fields, Now, edges) : null;
        }

        if (World.FindAccount(id) is { } account)
        {
            return CanAccess(token, account) ? Render.Account(account, fields, World.MediaOf(account).Count, edges, instagramLogin: token.Type == TokenType.InstagramUser) : null;
        }

        if (World.FindMedia(id) is { } media)
        {
            return CanAccess(token, World.FindAccount(media.AccountId)!) ? Render.Media(media, fields, World, Now, edges) : null;
        }

        if (state.Containers.TryGetValue(id, out var container))
        {
            return Publishing.RenderContainer(state, container, fields);
        }

        if (state.Comments.Find(id) is { Deleted: false } comment && CanAccessObject(token, comment.ObjectId))
        {
            return Render.Comment(comment, fields, CommentBoard.IsInstagramId(comment.Id));
        }

        return null;
    }

    private GraphResult? ReadObject(string id, IReadOnlyList<FieldSpec> fields, TokenInfo token, GraphRequest? context = null) =>
        RenderObject(id, fields, token, context) is { } json ? GraphResult.Ok(json) : null;

    private GraphResult MultiRead(GraphRequest request, string ids, IReadOnlyList<FieldSpec> fields, TokenInfo token)
    {
        var result = new JsonObject();
        foreach (var id in ids.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (RenderObject(id, fields, token, request) is not { } json)
            {
                return GraphErrors.NotFound(id);
            }

            result[id] = json;
        }

        return GraphResult.Ok(result);
    }

    private GraphResult ReadEdge(GraphRequest request, TokenInfo token, IReadOnlyList<FieldSpec> fields)
    {
        var (id, edge) = (request.Segments[0], request.Segments[1]);
        if (int.TryParse(request["limit"], out var requestedLimit) && requestedLimit > 100)
        {
            return GraphErrors.Error(100, "The limit parameter cannot exceed 100");
        }

        switch (edge)
        {
            case "published_posts" or "posts" or "feed" or "scheduled_posts" when World.FindPage(id) is { } page:
                if (!CanAccess(token, page))
                {
                    return GraphErrors.NotFound(id);
                }

                var posts = edge == "scheduled_posts" ? World.ScheduledOf(page, Now) : World.PostsOf(page, Now);
                var since = ParseTime(request["since"]);
                var until = ParseTime(request["until"]);
                var window = posts.Where(p => (since is null || (p.ScheduledPublishTime ?? p.CreatedTime) >= since) && (until is null || (p.ScheduledPublishTime ?? p.CreatedTime) <= until)).ToList();
                return Paged(request, window, p => Render.Post(p, fields, Now, NestedEdges(request, p.Id, token)),
                    checkFields: () => Render.Post(Stand.Post, fields, Now, Stand.Comments));
            case "comments":
                var owner = RenderObject(id, [], token);
                if (owner is null)
                {
                    return GraphErrors.NotFound(id);
                }

                var comments = state.Comments.TopLevelOf(id).ToList();
                if (request["order"] == "reverse_chronological")
                {
                    comments.Reverse();
                }

                var instagram = World.FindMedia(id) is not null;
                return Paged(request, comments, c => Render.Comment(c, fields, instagram),
                    summary: request["summary"] is "true" or "1" ? new JsonObject { ["order"] = "chronological", ["total_count"] = comments.Count, ["can_comment"] = true } : null,
                    checkFields: () => Render.Comment(Stand.Comment, fields, instagram));
            case "media" when World.FindAccount(id) is { } account:
                return CanAccess(token, account)
                    ? Paged(request, World.MediaOf(account), m => Render.Media(m, fields, World, Now, NestedEdges(request, m.Id, token)),
                        checkFields: () => Render.Media(Stand.Media, fields, World, Now, Stand.Comments))
                    : GraphErrors.NotFound(id);
            case "stories" when World.FindAccount(id) is { } account:
                return CanAccess(token, account)
                    ? Paged(request, World.StoriesOf(account, Now), m => Render.Media(m, fields, World, Now),
                        checkFields: () => Render.Media(Stand.Media, fields, World, Now))
                    : GraphErrors.NotFound(id);
            case "content_publishing_limit" when World.FindAccount(id) is { } account:
                return CanAccess(token, account) ? Publishing.Limit(state, account, fields) : GraphErrors.NotFound(id);
            default:
                return ReadObject(id, [], token) is null ? GraphErrors.NotFound(id) : GraphErrors.Error(100, $"Tried accessing nonexisting field ({edge})");
        }
    }

    /// <summary>Cursor paging: opaque cursors, <c>next</c> only when more items follow, links on this emulator's base URL.</summary>
    /// <param name="checkFields">Renders a stand-in node: Graph refuses a field the edge's nodes do not have even when the edge is empty.</param>
    internal GraphResult Paged<T>(GraphRequest request, IReadOnlyList<T> items, Func<T, JsonNode> render, JsonObject? summary = null, Func<JsonNode>? checkFields = null)
    {
        // limit(0) inside field expansion asks for the summary alone.
        var limit = int.TryParse(request["limit"], out var l) && l >= 0 ? l : 25;
        var start = request["after"] is { } after ? DecodeCursor(after) + 1 : request["before"] is { } before ? Math.Max(0, DecodeCursor(before) - limit) : 0;
        if (start < 0)
        {
            return GraphErrors.Error(100, "Invalid cursor");
        }

        var page = items.Skip(start).Take(limit).ToList();
        if (page.Count == 0)
        {
            checkFields?.Invoke();
        }

        var body = new JsonObject { ["data"] = new JsonArray(page.Select(render).ToArray()) };
        var paging = new JsonObject();
        if (page.Count > 0)
        {
            paging["cursors"] = new JsonObject { ["before"] = EncodeCursor(start), ["after"] = EncodeCursor(start + page.Count - 1) };
            if (start + page.Count < items.Count)
            {
                paging["next"] = Link(request, ("after", EncodeCursor(start + page.Count - 1)));
            }

            if (start > 0)
            {
                paging["previous"] = Link(request, ("before", EncodeCursor(start)));
            }

            body["paging"] = paging;
        }

        if (summary is not null)
        {
            body["summary"] = summary;
        }

        return GraphResult.Ok(body);
    }

    internal static string Link(GraphRequest request, params (string Name, string Value)[] replace)
    {
        var parameters = request.Parameters.Where(p => p.Key is not ("after" or "before" or "appsecret_proof" or "batch") && replace.All(r => r.Name != p.Key))
            .Concat(replace.Select(r => new KeyValuePair<string, string>(r.Name, r.Value)));
        if (request.Token is not null)
        {
            parameters = parameters.Append(new KeyValuePair<string, string>("access_token", request.Token));
        }

        var query = string.Join('&', parameters.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
        return $"{request.BaseUrl}/{request.Version}/{string.Join('/', request.Segments)}?{query}";
    }

    private static string EncodeCursor(int index) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"cursor:{index}"));

    private static int DecodeCursor(string cursor)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
            return text.StartsWith("cursor:", StringComparison.Ordinal) && int.TryParse(text[7..], out var index) ? index : -2;
        }
        catch (FormatException)
        {
            return -2;
        }
    }

    internal static DateTimeOffset? ParseTime(string? value) =>
        value is null ? null
        : long.TryParse(value, out var unix) ? DateTimeOffset.FromUnixTimeSeconds(unix)
        : DateTimeOffset.TryParse(value.Replace("+0000", "+00:00"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;
}
