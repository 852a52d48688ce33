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
