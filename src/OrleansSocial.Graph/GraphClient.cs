using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OrleansSocial.Graph.Json;
using OrleansSocial.Graph.Models;

namespace OrleansSocial.Graph;

/// <summary>
/// Typed Graph API calls. Tokens travel in the Authorization header (and appsecret_proof
/// beside them), never in a URL this client builds; only the two calls whose contract puts a
/// token in the query (exchange, debug_token) do so, and this client's HTTP pipeline logs no URLs.
/// Every call returns the usage headers its response carried.
/// </summary>
public sealed partial class GraphClient(HttpClient http, IOptions<GraphOptions> options)
{
    /// <summary>Request option naming the Graph object a call targets: the circuit breaker is keyed by it.</summary>
    public static readonly HttpRequestOptionsKey<string> ObjectKey = new("graph-object");

    public const int MaxBatchOperations = 50;

    public static readonly TimeSpan MaxInsightsWindow = TimeSpan.FromDays(90);

    private GraphOptions Options => options.Value;

    /// <summary>The host this client calls: <see cref="GraphHost.Facebook"/> unless made with <see cref="On"/>.</summary>
    public GraphHost Host { get; private init; } = GraphHost.Facebook;

    /// <summary>The same client calling another host, over the same HTTP pipeline.</summary>
    public GraphClient On(GraphHost host) => host == Host ? this : new GraphClient(http, options) { Host = host };

    /// <summary>The app whose platform-wide budget user- and app-token calls spend (on the Instagram host, the Instagram app's).</summary>
    public string AppId => Host == GraphHost.Instagram ? Options.InstagramAppId ?? "unconfigured-instagram" : Options.AppId ?? "unconfigured";

    private string BaseUrl => Host == GraphHost.Instagram ? Options.InstagramBaseUrl : Options.BaseUrl;

    // Each host's tokens are proven with its own app's secret.
    private string? ProofSecret => Host == GraphHost.Instagram ? Options.InstagramAppSecret : Options.AppSecret;

    // --- tokens -------------------------------------------------------------------------

    public async Task<GraphResult<LongLivedToken>> ExchangeForLongLivedTokenAsync(string shortLivedToken, CancellationToken cancellationToken = default)
    {
        var (json, usage) = await SendAsync(HttpMethod.Get, "oauth/access_token", null,
            [("grant_type", "fb_exchange_token"), ("client_id", RequireApp().Id), ("client_secret", RequireApp().Secret), ("fb_exchange_token", shortLivedToken)], cancellationToken);
        return new(json.Deserialize<LongLivedToken>(GraphJson.Options)!, usage);
    }

    public async Task<GraphResult<TokenInfo>> DebugTokenAsync(string inputToken, CancellationToken cancellationToken = default)
    {
        var (id, secret) = RequireApp();
        var (json, usage) = await SendAsync(HttpMethod.Get, "debug_token", $"{id}|{secret}", [("input_token", inputToken)], cancellationToken);
        return new(json.GetProperty("data").Deserialize<TokenInfo>(GraphJson.Options)!, usage);
    }

    // --- Pages --------------------------------------------------------------------------

    public IAsyncEnumerable<GraphPage<PageAccount>> GetAccountsAsync(string userToken, int? maxItems = null, CancellationToken cancellationToken = default) =>
        PagesAsync<PageAccount>("me/accounts", userToken, [("fields", "id,name,access_token,category,category_list,tasks,instagram_business_account")], maxItems, cancellationToken);

    private const string PageFields = "id,name,username,category,about,description,link,website,fan_count,followers_count,instagram_business_account";
    private const string PostFields = "id,message,story,created_time,updated_time,permalink_url,full_picture,shares";
    private const string PostCounts = "comments.limit(0).summary(true),reactions.limit(0).summary(total_count)";
    private const string InstagramFields = "id,username,name,biography,website,profile_picture_url,followers_count,follows_count,media_count";
    private const string MediaFields = "id,caption,media_type,media_product_type,media_url,thumbnail_url,permalink,timestamp,like_count,comments_count";

    public Task<GraphResult<PageProfile>> GetPageAsync(string pageId, string token, CancellationToken cancellationToken = default) =>
        GetObjectAsync<PageProfile>(pageId, token, PageFields, cancellationToken);

    /// <summary>
    /// A Page's daily picture in one request, by field expansion on the Page node: its profile, its
    /// posts since <paramref name="postsSince"/> (newest first, at most <paramref name="posts"/>) with
    /// engagement counts and their first <paramref name="comments"/> comments, and the insights asked.
    /// Where an edge goes on, the snapshot says where (<see cref="PageSnapshot.MorePostsAfter"/>,
    /// each post's <c>Comments.NextCursor</c>). One bad metric fails the whole request, as on Graph.
    /// </summary>
    public async Task<GraphResult<PageSnapshot>> GetPageSnapshotAsync(string pageId, string pageToken, DateTimeOffset postsSince, InsightsQuery? insights,
        int posts = 25, int comments = 25, CancellationToken cancellationToken = default)
    {
        var fields = $"{PageFields},published_posts.since({Unix(postsSince)}).limit({Limit(posts)}){{{PostFields},comments.limit({Limit(comments)}).summary(true){{{PageCommentFields}}},reactions.limit(0).summary(total_count)}}"
            + (insights is null ? "" : "," + insights.Expansion);
        var (json, usage) = await SendAsync(HttpMethod.Get, pageId, pageToken, [("fields", fields)], cancellationToken);
        var edge = Edge<PagePost>(json, "published_posts");
        return new(new PageSnapshot(json.Deserialize<PageProfile>(GraphJson.Options)!, edge.Items, edge.NextCursor, Edge<InsightSeries>(json, "insights").Items), usage);
    }

    /// <summary>
    /// An Instagram account's daily picture in one request: profile, its newest <paramref name="media"/>
    /// media with counts and first <paramref name="comments"/> comments, and the insights asked. The media
    /// edge takes no time window (unverified on Graph), so the caller reads on while media are new enough.
    /// </summary>
    public async Task<GraphResult<InstagramSnapshot>> GetInstagramSnapshotAsync(string igUserId, string token, InsightsQuery? insights,
        int media = 25, int comments = 25, CancellationToken cancellationToken = default)
    {
        var fields = $"{InstagramFields},media.limit({Limit(media)}){{{MediaFields},comments.limit({Limit(comments)}){{{InstagramCommentFields}}}}}"
            + (insights is null ? "" : "," + insights.Expansion);
        var (json, usage) = await SendAsync(HttpMethod.Get, igUserId, token, [("fields", fields)], cancellationToken);
        var edge = Edge<InstagramMedia>(json, "media");
        return new(new InstagramSnapshot(json.Deserialize<InstagramProfile>(GraphJson.Options)!, edge.Items, edge.NextCursor, Edge<InsightSeries>(json, "insights").Items), usage);
    }

    private static ExpandedEdge<T> Edge<T>(JsonElement node, string name) =>
        node.TryGetProperty(name, out var edge) && edge.ValueKind == JsonValueKind.Object
            ? edge.Deserialize<ExpandedEdge<T>>(GraphJson.Options) ?? new ExpandedEdge<T>(null, null, null)
            : new ExpandedEdge<T>(null, null, null);

    private static string Limit(int limit) => limit is >= 0 and <= 100
        ? limit.ToString(CultureInfo.InvariantCulture)
        : throw new ArgumentOutOfRangeException(nameof(limit), "Graph accepts 0-100 items per edge.");

    /// <summary>
    /// A Page's posts, newest first, with engagement counts by field expansion (one call per page of posts).
    /// <paramref name="edge"/>: <c>published_posts</c> (the Page's own, the reliable edge), <c>posts</c> or <c>feed</c> (with visitor posts).
    /// </summary>
    public IAsyncEnumerable<GraphPage<PagePost>> GetPagePostsAsync(string pageId, string pageToken, DateTimeOffset? since = null, int? maxItems = null, int pageSize = 25,
        string edge = "published_posts", string? after = null, CancellationToken cancellationToken = default)
    {
        if (edge is not ("published_posts" or "posts" or "feed"))
        {
            throw new ArgumentOutOfRangeException(nameof(edge), "The posts edge is published_posts, posts or feed.");
        }

        if (pageSize is < 1 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(pageSize), "Graph accepts 1-100 posts per page.");
        }

        var parameters = new List<(string, string)>
        {
            ("fields", $"{PostFields},{PostCounts}"),
            ("limit", pageSize.ToString(CultureInfo.InvariantCulture)),
        };
        if (since is { } from)
        {
            parameters.Add(("since", from.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)));
        }

        return PagesAsync<PagePost>($"{pageId}/{edge}", pageToken, parameters, maxItems, cancellationToken, after);
    }

    // A Page comment and an Instagram comment are different nodes: asking one for the other's fields fails the request.
    private const string PageCommentFields = "id,message,created_time,from,like_count";
    private const string InstagramCommentFields = "id,text,timestamp,username,like_count";

    private static string CommentFields(bool instagram) => instagram ? InstagramCommentFields : PageCommentFields;

    /// <param name="after">Where an earlier page (or a field expansion) stopped.</param>
    /// <param name="instagram">The object is an Instagram medium (its comments are Instagram comments).</param>
    public IAsyncEnumerable<GraphPage<GraphComment>> GetCommentsAsync(string objectId, string token, int? maxItems = null, string? after = null, bool instagram = false, CancellationToken cancellationToken = default) =>
        PagesAsync<GraphComment>($"{objectId}/comments", token, [("fields", CommentFields(instagram)), ("limit", "100")], maxItems, cancellationToken, after);

    /// <summary>
    /// The first page of comments of up to 50 posts or media in one batch round trip. An object
    /// whose comments go on is marked so the caller pages the rest with <see cref="GetCommentsAsync"/>.
    /// The first failed operation is thrown, classified like any call; the usage is the fullest bucket's.
    /// </summary>
    public async Task<GraphResult<IReadOnlyList<CommentsOf>>> GetCommentsOfManyAsync(IReadOnlyList<string> objectIds, string token, bool instagram = false, CancellationToken cancellationToken = default)
    {
        var batch = await BatchAsync(token, objectIds.Select(id => BatchOperation.Get($"{id}/comments?fields={CommentFields(instagram)}&limit=100")).ToList(), cancellationToken);
        var results = new List<CommentsOf>();
        var usage = batch.Usage;
        for (var i = 0; i < objectIds.Count; i++)
        {
            var result = batch.Value[i];
            if (result.Error is { } error)
            {
                throw error;
            }

            usage = result.Usage.MaxPercent > usage.MaxPercent ? result.Usage : usage;
            var body = result.Body ?? default;
            var items = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("data", out var data) ? data.Deserialize<List<GraphComment>>(GraphJson.Options) ?? [] : [];
            var more = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("paging", out var paging) && paging.TryGetProperty("next", out _);
            results.Add(new CommentsOf(objectIds[i], items, more));
        }

        return new(results, usage);
    }

    public Task<GraphResult<InsightsResult>> GetPageInsightsAsync(string pageId, string pageToken, IReadOnlyList<string> metrics, string period, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default) =>
        InsightsAsync($"{pageId}/insights", pageToken, metrics,
            [("period", period), ("since", Unix(since)), ("until", Unix(until))], cancellationToken);

    // --- Instagram ----------------------------------------------------------------------

    public Task<GraphResult<InstagramProfile>> GetInstagramAccountAsync(string igUserId, string token, CancellationToken cancellationToken = default) =>
        GetObjectAsync<InstagramProfile>(igUserId, token, InstagramFields, cancellationToken);

    public IAsyncEnumerable<GraphPage<InstagramMedia>> GetInstagramMediaAsync(string igUserId, string token, int? maxItems = null, int pageSize = 25, string? after = null, CancellationToken cancellationToken = default) =>
        PagesAsync<InstagramMedia>($"{igUserId}/media", token, [("fields", MediaFields), ("limit", pageSize.ToString(CultureInfo.InvariantCulture))], maxItems, cancellationToken, after);

    /// <summary>The account's stories of the last 24 hours (<c>GET /{ig-user}/stories</c>): stories are not listed under <c>/media</c>.</summary>
    public IAsyncEnumerable<GraphPage<InstagramMedia>> GetInstagramStoriesAsync(string igUserId, string token, int? maxItems = null, CancellationToken cancellationToken = default) =>
        PagesAsync<InstagramMedia>($"{igUserId}/stories", token, [("fields", "id,media_type,media_product_type,permalink,timestamp"), ("limit", "25")], maxItems, cancellationToken);

    /// <summary>Account insights; <paramref name="totalValue"/> asks metric_type=total_value instead of a time series.</summary>
    public Task<GraphResult<InsightsResult>> GetInstagramAccountInsightsAsync(string igUserId, string token, IReadOnlyList<string> metrics, string period, DateTimeOffset since, DateTimeOffset until, bool totalValue = false, CancellationToken cancellationToken = default)
    {
        var parameters = new List<(string, string)> { ("period", period), ("since", Unix(since)), ("until", Unix(until)) };
        if (totalValue)
        {
            parameters.Add(("metric_type", "total_value"));
        }

        return InsightsAsync($"{igUserId}/insights", token, metrics, parameters, cancellationToken);
    }

    // --- publishing ---------------------------------------------------------------------

    /// <summary>
    /// POST /{page}/feed: now, or natively scheduled when <paramref name="scheduledAt"/> is given; with
    /// <paramref name="attachedMedia"/> (unpublished photo ids) a multi-photo post. Never retried blindly.
    /// </summary>
    public async Task<GraphResult<CreatedObject>> PublishPagePostAsync(string pageId, string pageToken, string message, string? link = null, DateTimeOffset? scheduledAt = null,
        IReadOnlyList<string>? attachedMedia = null, CancellationToken cancellationToken = default)
    {
        var parameters = new List<(string, string)> { ("message", message) };
        if (link is not null)
        {
            parameters.Add(("link", link));
        }

        if (attachedMedia is { Count: > 0 })
        {
            parameters.Add(("attached_media", JsonSerializer.Serialize(attachedMedia.Select(id => new Dictionary<string, string> { ["media_fbid"] = id }))));
        }

        if (scheduledAt is { } at)
        {
            parameters.Add(("published", "false"));
            parameters.Add(("scheduled_publish_time", Unix(at)));
        }

        var (json, usage) = await SendAsync(HttpMethod.Post, $"{pageId}/feed", pageToken, parameters, cancellationToken);
        return new(json.Deserialize<CreatedObject>(GraphJson.Options)!, usage);
    }

    /// <summary>
    /// POST /{page}/photos: a photo post of its own (the answer carries its <c>post_id</c>), or with
    /// <paramref name="published"/> false an upload to attach to a multi-photo post.
    /// </summary>
    public async Task<GraphResult<CreatedObject>> PublishPagePhotoAsync(string pageId, string pageToken, string imageUrl, string? caption = null, bool published = true, CancellationToken cancellationToken = default)
    {
        var parameters = new List<(string, string)> { ("url", imageUrl) };
        if (published)
        {
            parameters.Add(("caption", caption ?? ""));
        }
        else
        {
            parameters.Add(("published", "false"));
        }

        var (json, usage) = await SendAsync(HttpMethod.Post, $"{pageId}/photos", pageToken, parameters, cancellationToken);
        return new(json.Deserialize<CreatedObject>(GraphJson.Options)!, usage);
    }

    /// <summary>Step 1 of Instagram publishing: a container for an image (or a video, as a reel), a story, or a carousel item.</summary>
    public async Task<GraphResult<CreatedObject>> CreateInstagramContainerAsync(string igUserId, string token, string? imageUrl, string? videoUrl, string? caption,
        bool carouselItem = false, bool story = false, CancellationToken cancellationToken = default)
    {
        var parameters = new List<(string, string)>();
        if (imageUrl is not null)
        {
            parameters.Add(("image_url", imageUrl));
        }

        if (videoUrl is not null)
        {
            parameters.Add(("video_url", videoUrl));
        }

        if (story)
        {
            parameters.Add(("media_type", "STORIES"));
        }
        else if (videoUrl is not null)
        {
            parameters.Add(("media_type", carouselItem ? "VIDEO" : "REELS"));
        }

        if (carouselItem)
        {
            parameters.Add(("is_carousel_item", "true"));
        }
        else if (caption is not null)
        {
            parameters.Add(("caption", caption));
        }

        var (json, usage) = await SendAsync(HttpMethod.Post, $"{igUserId}/media", token, parameters, cancellationToken);
        return new(json.Deserialize<CreatedObject>(GraphJson.Options)!, usage);
    }

    /// <summary>A carousel container over 2-10 carousel item containers; published like any container.</summary>
    public async Task<GraphResult<CreatedObject>> CreateInstagramCarouselAsync(string igUserId, string token, IReadOnlyList<string> children, string? caption, CancellationToken cancellationToken = default)
    {
        var parameters = new List<(string, string)> { ("media_type", "CAROUSEL"), ("children", string.Join(',', children)) };
        if (caption is not null)
        {
            parameters.Add(("caption", caption));
        }

        var (json, usage) = await SendAsync(HttpMethod.Post, $"{igUserId}/media", token, parameters, cancellationToken);
        return new(json.Deserialize<CreatedObject>(GraphJson.Options)!, usage);
    }

    public Task<GraphResult<ContainerStatus>> GetContainerStatusAsync(string containerId, string token, CancellationToken cancellationToken = default) =>
        GetObjectAsync<ContainerStatus>(containerId, token, "id,status_code,status", cancellationToken);

    public async Task<GraphResult<CreatedObject>> PublishInstagramContainerAsync(string igUserId, string token, string containerId, CancellationToken cancellationToken = default)
    {
        var (json, usage) = await SendAsync(HttpMethod.Post, $"{igUserId}/media_publish", token, [("creation_id", containerId)], cancellationToken);
        return new(json.Deserialize<CreatedObject>(GraphJson.Options)!, usage);
    }

    public async Task<GraphResult<PublishingLimit>> GetContentPublishingLimitAsync(string igUserId, string token, CancellationToken cancellationToken = default)
    {
        var (json, usage) = await SendAsync(HttpMethod.Get, $"{igUserId}/content_publishing_limit", token,
            [("fields", "quota_usage,config"), ("since", Unix(DateTimeOffset.UtcNow.AddDays(-1)))], cancellationToken);
        return new(json.GetProperty("data")[0].Deserialize<PublishingLimit>(GraphJson.Options)!, usage);
    }

    // --- batch --------------------------------------------------------------------------

    /// <summary>Up to 50 operations in one round trip; each counts against the quota on its own and fails on its own.</summary>
    public async Task<GraphResult<IReadOnlyList<BatchResult>>> BatchAsync(string token, IReadOnlyList<BatchOperation> operations, CancellationToken cancellationToken = default)
    {
        if (operations.Count is 0 or > MaxBatchOperations)
        {
            throw new ArgumentOutOfRangeException(nameof(operations), $"A batch holds 1-{MaxBatchOperations} operations.");
        }

        var (json, usage) = await SendAsync(HttpMethod.Post, "", token,
            [("batch", JsonSerializer.Serialize(operations)), ("include_headers", "true")], cancellationToken);
        var results = new List<BatchResult>();
        foreach (var element in json.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                results.Add(new BatchResult(0, null, null, GraphUsage.None));
                continue;
            }

            var status = element.GetProperty("code").GetInt32();
            var headers = element.TryGetProperty("headers", out var list) && list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray().ToDictionary(h => h.GetProperty("name").GetString()!, h => h.GetProperty("value").GetString(), StringComparer.OrdinalIgnoreCase)
                : new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            var opUsage = GraphUsage.From(name => headers.TryGetValue(name, out var value) ? value : null);
            var body = element.TryGetProperty("body", out var raw) && raw.GetString() is { } text ? text : "null";
            var error = GraphException.FromBody(body, status, opUsage);
            results.Add(new BatchResult(status, error is null ? JsonDocument.Parse(body).RootElement.Clone() : null, error, opUsage));
        }

        return new(results, usage);
    }

    // --- core ---------------------------------------------------------------------------

    public async Task<GraphResult<T>> GetObjectAsync<T>(string id, string token, string fields, CancellationToken cancellationToken = default)
    {
        var (json, usage) = await SendAsync(HttpMethod.Get, id, token, [("fields", fields)], cancellationToken);
        return new(json.Deserialize<T>(GraphJson.Options)!, usage);
    }

    /// <summary>
    /// Cursor paging as an async stream: follows <c>paging.cursors.after</c> while <c>paging.next</c>
    /// exists (empty pages included), and stops at <paramref name="maxItems"/>. Cursors never outlive the stream.
    /// </summary>
    public async IAsyncEnumerable<GraphPage<T>> PagesAsync<T>(string path, string token, IReadOnlyList<(string Name, string Value)> parameters, int? maxItems,
        [EnumeratorCancellation] CancellationToken cancellationToken = default, string? startAfter = null)
    {
        var after = startAfter;
        var yielded = 0;
        while (true)
        {
            var call = parameters.ToList();
            if (after is not null)
            {
                call.Add(("after", after));
            }

            var (json, usage) = await SendAsync(HttpMethod.Get, path, token, call, cancellationToken);
            var items = json.TryGetProperty("data", out var data) ? data.Deserialize<List<T>>(GraphJson.Options) ?? [] : [];
            if (maxItems is { } max && yielded + items.Count > max)
            {
                items = items.Take(max - yielded).ToList();
            }

            yielded += items.Count;
            after = json.TryGetProperty("paging", out var paging) && paging.TryGetProperty("next", out _)
                && paging.TryGetProperty("cursors", out var cursors) && cursors.TryGetProperty("after", out var cursor)
                ? cursor.GetString() : null;
            var last = after is null || (maxItems is { } limit && yielded >= limit);
            yield return new GraphPage<T>(items, usage, last);
            if (last)
            {
                yield break;
            }
        }
    }

    /// <summary>
    /// One bad metric fails Graph's whole insights call; this drops the metrics Graph rejects
    /// as invalid or deprecated (probing them one by one) and returns the rest with the rejected names.
    /// </summary>
    private async Task<GraphResult<InsightsResult>> InsightsAsync(string path, string token, IReadOnlyList<string> metrics, IReadOnlyList<(string, string)> parameters, CancellationToken cancellationToken)
    {
        try
        {
            var (json, usage) = await SendAsync(HttpMethod.Get, path, token, [.. parameters, ("metric", string.Join(',', metrics))], cancellationToken);
            return new(new InsightsResult(SeriesOf(json), []), usage);
        }
        catch (GraphException exception) when (exception.IsInvalidMetric && metrics.Count > 1)
        {
            var series = new List<InsightSeries>();
            var rejected = new List<string>();
            var usage = exception.Usage;
            foreach (var metric in metrics)
            {
                try
                {
                    var (json, metricUsage) = await SendAsync(HttpMethod.Get, path, token, [.. parameters, ("metric", metric)], cancellationToken);
                    series.AddRange(SeriesOf(json));
                    usage = metricUsage;
                }
                catch (GraphException single) when (single.IsInvalidMetric)
                {
                    rejected.Add(metric);
                }
            }

            return new(new InsightsResult(series, rejected), usage);
        }
        catch (GraphException exception) when (exception.IsInvalidMetric)
        {
            return new(new InsightsResult([], metrics.ToList()), exception.Usage);
        }
    }

    private static IReadOnlyList<InsightSeries> SeriesOf(JsonElement json) =>
        json.TryGetProperty("data", out var data) ? data.Deserialize<List<InsightSeries>>(GraphJson.Options) ?? [] : [];

    /// <param name="versioned">False for the few calls whose documented address has no version (Instagram Login's token calls).</param>
    internal async Task<(JsonElement Json, GraphUsage Usage)> SendAsync(HttpMethod method, string path, string? token, IReadOnlyList<(string Name, string Value)> parameters, CancellationToken cancellationToken,
        bool versioned = true)
    {
        var all = parameters.ToList();
        if (token is not null && ProofSecret is { Length: > 0 } secret)
        {
            all.Add(("appsecret_proof", Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(token)))));
        }

        var url = versioned ? $"{BaseUrl.TrimEnd('/')}/{Options.Version}/{path}" : $"{BaseUrl.TrimEnd('/')}/{path}";
        using var request = new HttpRequestMessage(method, method == HttpMethod.Post ? url : url + "?" + Query(all));
        if (method == HttpMethod.Post)
        {
            request.Content = new FormUrlEncodedContent(all.Select(p => new KeyValuePair<string, string>(p.Name, p.Value)));
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        request.Options.Set(ObjectKey, path.Split('/')[0]);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (Exception exception) when (exception is HttpRequestException or Polly.Timeout.TimeoutRejectedException or Polly.CircuitBreaker.BrokenCircuitException
            || (exception is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // The inner exception's message names no URL or token; it is kept for diagnosis.
            throw new GraphException(GraphErrorKind.Transient, $"Graph did not answer ({exception.GetType().Name}).", null, null, null, true, 0, GraphUsage.None, exception);
        }

        using (response)
        {
            var usage = GraphUsage.From(response.Headers);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (GraphException.FromBody(body, (int)response.StatusCode, usage) is { } error)
            {
                throw error;
            }

            using var document = JsonDocument.Parse(body);
            return (document.RootElement.Clone(), usage);
        }
    }

    private (string Id, string Secret) RequireApp() =>
        Options is { AppId.Length: > 0, AppSecret.Length: > 0 } ? (Options.AppId!, Options.AppSecret!) : throw new InvalidOperationException("Graph:AppId and Graph:AppSecret are required for this call.");

    private static string Unix(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    private static string Query(IEnumerable<(string Name, string Value)> parameters) =>
        string.Join('&', parameters.Select(p => $"{Uri.EscapeDataString(p.Name)}={Uri.EscapeDataString(p.Value)}"));
}
