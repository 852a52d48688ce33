using System.Text.Json;
using OrleansSocial.Graph.Json;
using OrleansSocial.Graph.Models;

namespace OrleansSocial.Graph;

/// <summary>
/// Instagram API with Instagram Login (contract §4.14): the token calls and the identity of the
/// account behind a token, on the Instagram host. Everything else (media, comments, insights,
/// publishing) is the same call as with Facebook Login, made through <c>On(GraphHost.Instagram)</c>.
/// </summary>
public sealed partial class GraphClient
{
    /// <summary>What Instagram documents for a long-lived token (exchanged or refreshed): the expiry to assume when an answer omits <c>expires_in</c>.</summary>
    public static readonly TimeSpan InstagramLongLivedTokenLifetime = TimeSpan.FromDays(60);

    private const string InstagramLoginProfileFields = "user_id,username,name,account_type,profile_picture_url,followers_count,follows_count,media_count";

    /// <summary>Whether Instagram Login accounts can be connected: the Instagram app's secret is configured.</summary>
    public bool InstagramLoginConfigured => Options.InstagramAppSecret is { Length: > 0 };

    /// <summary>A short-lived (1 h) Instagram user token for a long-lived (60 days) one.</summary>
    public async Task<GraphResult<LongLivedToken>> ExchangeInstagramTokenAsync(string shortLivedToken, CancellationToken cancellationToken = default)
    {
        var secret = RequireInstagramHost().InstagramAppSecret is { Length: > 0 } configured
            ? configured : throw new InvalidOperationException("Graph:InstagramAppSecret is required to connect Instagram Login accounts.");
        var (json, usage) = await SendAsync(HttpMethod.Get, "access_token", null,
            [("grant_type", "ig_exchange_token"), ("client_secret", secret), ("access_token", shortLivedToken)], cancellationToken, versioned: false);
        return new(TokenOf(json), usage);
    }

    /// <summary>A long-lived token that is at least 24 hours old and not expired, for a new one valid 60 days from now.</summary>
    public async Task<GraphResult<LongLivedToken>> RefreshInstagramTokenAsync(string longLivedToken, CancellationToken cancellationToken = default)
    {
        RequireInstagramHost();
        var (json, usage) = await SendAsync(HttpMethod.Get, "refresh_access_token", null,
            [("grant_type", "ig_refresh_token"), ("access_token", longLivedToken)], cancellationToken, versioned: false);
        return new(TokenOf(json), usage);
    }

    /// <summary>The professional account the token acts for (<c>GET /me</c>).</summary>
    public async Task<GraphResult<InstagramLoginProfile>> GetInstagramLoginProfileAsync(string token, CancellationToken cancellationToken = default)
    {
        RequireInstagramHost();
        var (json, usage) = await SendAsync(HttpMethod.Get, "me", token, [("fields", InstagramLoginProfileFields)], cancellationToken);
        return new(json.Deserialize<InstagramLoginProfile>(GraphJson.Options)!, usage);
    }

    /// <summary>Installs this app on the token's own account for <paramref name="fields"/> (<c>POST /me/subscribed_apps</c>; the full set, as on Pages).</summary>
    public Task<GraphUsage> SubscribeOwnAccountAsync(string token, IReadOnlyList<string> fields, CancellationToken cancellationToken = default)
    {
        RequireInstagramHost();
        // The Page's edge, on the token's own node.
        return SubscribePageAsync("me", token, fields, cancellationToken);
    }

    public Task<GraphUsage> UnsubscribeOwnAccountAsync(string token, CancellationToken cancellationToken = default)
    {
        RequireInstagramHost();
        return UnsubscribePageAsync("me", token, cancellationToken);
    }

    private GraphOptions RequireInstagramHost() =>
        Host == GraphHost.Instagram ? Options : throw new InvalidOperationException("Instagram Login calls go to the Instagram host: use On(GraphHost.Instagram).");

    // Documented flat; some answers of the Instagram OAuth family come wrapped in data[]: both are read.
    private static LongLivedToken TokenOf(JsonElement json) =>
        (json.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array && data.GetArrayLength() > 0 ? data[0] : json)
            .Deserialize<LongLivedToken>(GraphJson.Options) is { AccessToken.Length: > 0 } token
            ? token : throw new GraphException(GraphErrorKind.Unknown, "The token answer carried no access_token.", null, null, null, false, 200, GraphUsage.None);
}
