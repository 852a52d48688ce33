using System.Text.Json.Serialization;

namespace OrleansSocial.Graph.Models;

public sealed record LongLivedToken(string AccessToken, string? TokenType, long? ExpiresIn);

public sealed record TokenError(int? Code, string? Message, int? Subcode);

/// <summary>debug_token's data. <see cref="ExpiresAt"/> is null when the token never expires (Graph's 0).</summary>
public sealed record TokenInfo(
    string? AppId,
    string? Type,
    string? Application,
    [property: JsonPropertyName("expires_at")] long? ExpiresAtUnix,
    [property: JsonPropertyName("data_access_expires_at")] long? DataAccessExpiresAtUnix,
    bool IsValid,
    [property: JsonPropertyName("issued_at")] long? IssuedAtUnix,
    IReadOnlyList<string>? Scopes,
    string? UserId,
    string? ProfileId,
    TokenError? Error)
{
    [JsonIgnore]
    public DateTimeOffset? ExpiresAt => ExpiresAtUnix is > 0 ? DateTimeOffset.FromUnixTimeSeconds(ExpiresAtUnix.Value) : null;

    [JsonIgnore]
    public DateTimeOffset? DataAccessExpiresAt => DataAccessExpiresAtUnix is > 0 ? DateTimeOffset.FromUnixTimeSeconds(DataAccessExpiresAtUnix.Value) : null;
}

/// <summary>
/// <c>GET /me</c> on the Instagram host. <see cref="UserId"/> is the professional account's id (the one
/// paths and webhooks use); what <see cref="Id"/> denotes is unconfirmed, so it is only the fallback.
/// </summary>
public sealed record InstagramLoginProfile(
    string? Id,
    string? UserId,
    string? Username,
    string? Name,
    string? AccountType,
    string? ProfilePictureUrl,
    int? FollowersCount,
    int? FollowsCount,
    int? MediaCount)
{
    public string? AccountId => UserId is { Length: > 0 } ? UserId : Id;
}
