using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace OrleansSocial.GraphEmulator.World;

public enum TokenType
{
    User,
    Page,
    App,

    /// <summary>An Instagram Login token (graph.instagram.com only); its user id is the professional account's id.</summary>
    InstagramUser,
}

/// <summary>An issued token. Expiry is on the emulator clock; <see cref="RevokedSubcode"/> makes it fail with 190.</summary>
public sealed record TokenInfo(string Token, TokenType Type, string UserId, string? PageId, DateTimeOffset IssuedAt, DateTimeOffset? ExpiresAt, bool LongLived)
{
    public int? RevokedSubcode { get; init; }
}

/// <summary>Issues, exchanges, expires and revokes tokens. Users' short-lived tokens are derived from the seed.</summary>
public sealed class TokenStore
{
    public static readonly TimeSpan ShortLived = TimeSpan.FromHours(2);
    public static readonly TimeSpan LongLived = TimeSpan.FromSeconds(5_183_944);

    /// <summary>Instagram Login: short-lived tokens last an hour; a long-lived one may be refreshed once it is a day old.</summary>
    public static readonly TimeSpan InstagramShortLived = TimeSpan.FromHours(1);

    public static readonly TimeSpan InstagramRefreshAge = TimeSpan.FromHours(24);

    /// <summary>The walkthrough's Instagram Login token: the first account without a Page, valid for years so a README can paste it.</summary>
    public const string DemoInstagramToken = "IGAADemoInstagramLoginToken0000OrleansSocialEmulator";

    private readonly ConcurrentDictionary<string, TokenInfo> _tokens = new(StringComparer.Ordinal);
    private readonly EmulatorWorld _world;

    private readonly byte[] _signingKey;

    public TokenStore(EmulatorWorld world, DateTimeOffset now)
    {
        _world = world;
        // From the seed and the app secret: the same emulator configuration accepts what it signed before a restart.
        _signingKey = SHA256.HashData(Encoding.UTF8.GetBytes($"emulator-token-key:{world.Options.Seed}:{world.Options.AppSecret}"));
        foreach (var user in world.Users)
        {
            _tokens[UserTokenOf(user)] = new TokenInfo(UserTokenOf(user), TokenType.User, user.Id, null, now, now + ShortLived, LongLived: false);
        }

        // The walkthrough's token: user 0, valid for years so a README can paste it.
        _tokens[DemoUserToken] = new TokenInfo(DemoUserToken, TokenType.User, world.Users[0].Id, null, now, now.AddYears(10), LongLived: false);
        if (world.PagelessAccounts.FirstOrDefault() is { } pageless)
        {
            _tokens[DemoInstagramToken] = new TokenInfo(DemoInstagramToken, TokenType.InstagramUser, pageless.Id, null, now, now.AddYears(10), LongLived: false);
        }

        AppToken = $"{world.Options.AppId}|{world.Options.AppSecret}";
        _tokens[AppToken] = new TokenInfo(AppToken, TokenType.App, "", null, now, null, LongLived: true);
    }

    public const string DemoUserToken = "EAADemoUserToken0000OrleansSocialEmulator";

    public string AppToken { get; }

    /// <summary>Each user's short-lived token (what Facebook Login would hand the browser).</summary>
    public string UserTokenOf(User user) => "EAAU" + Digest($"user:{_world.Options.Seed}:{user.Index}");

    /// <summary>
    /// An issued token, or one this emulator's seed signed in an earlier run: long-lived and Page tokens
    /// carry their own claims and a signature, so they stay valid across restarts of the emulator (an
    /// expiry or revocation set through the control API lasts only for the run that set it).
    /// </summary>
    public TokenInfo? Find(string token) =>
        _tokens.TryGetValue(token, out var info) ? info
        : SignedTokens.Read(token, _signingKey) is { } signed ? _tokens.GetOrAdd(token, signed)
        : null;

    public TokenInfo ExchangeForLongLived(TokenInfo shortToken, DateTimeOffset now)
    {
        var claims = new TokenInfo("", shortToken.Type, shortToken.UserId, shortToken.PageId, now,
            shortToken.Type == TokenType.Page ? null : now + LongLived, LongLived: true);
        var token = SignedTokens.Write("EAAL", claims, RandomNumberGenerator.GetHexString(8), _signingKey);
        return _tokens[token] = claims with { Token = token };
    }

    /// <summary>A Page token for a user token: no expiry when the user token is long-lived, one hour otherwise. The same user token gets the same Page token.</summary>
    public TokenInfo PageTokenFor(TokenInfo userToken, Page page, DateTimeOffset now)
    {
        var claims = new TokenInfo("", TokenType.Page, userToken.UserId, page.Id, userToken.IssuedAt,
            userToken.LongLived ? null : now + TimeSpan.FromHours(1), userToken.LongLived);
        var token = userToken.LongLived
            ? SignedTokens.Write("EAAP", claims, Digest($"page:{userToken.Token}:{page.Id}")[..16], _signingKey)
            : "EAAP" + Digest($"page:{userToken.Token}:{page.Id}");
        return _tokens.GetOrAdd(token, t => claims with { Token = t });
    }

    /// <summary>What Instagram's OAuth would hand the browser for an account: a fresh short-lived token (one hour).</summary>
    public TokenInfo IssueInstagramShortLived(InstagramAccount account, DateTimeOffset now)
    {
        var token = "IGAAS" + Digest($"ig-short:{_world.Options.Seed}:{account.Id}:{RandomNumberGenerator.GetHexString(16)}");
        return _tokens[token] = new TokenInfo(token, TokenType.InstagramUser, account.Id, null, now, now + InstagramShortLived, LongLived: false);
    }

    /// <summary>A long-lived Instagram Login token (60 days from now): the answer to an exchange and to a refresh alike.</summary>
    public TokenInfo IssueInstagramLongLived(TokenInfo from, DateTimeOffset now)
    {
        var claims = new TokenInfo("", TokenType.InstagramUser, from.UserId, null, now, now + LongLived, LongLived: true);
        var token = SignedTokens.Write(SignedTokens.InstagramPrefix, claims, RandomNumberGenerator.GetHexString(8), _signingKey);
        return _tokens[token] = claims with { Token = token };
    }

    public bool Expire(string token, DateTimeOffset now) => Update(token, info => info with { ExpiresAt = now - TimeSpan.FromSeconds(1) });

    public bool Revoke(string token, int subcode) => Update(token, info => info with { RevokedSubcode = subcode });

    /// <summary>Undoes a revocation (tests that share a world put it back as they found it).</summary>
    public bool Restore(string token) => Update(token, info => info with { RevokedSubcode = null });

    private bool Update(string token, Func<TokenInfo, TokenInfo> change)
    {
        while (_tokens.TryGetValue(token, out var info))
        {
            if (_tokens.TryUpdate(token, change(info), info))
            {
                return true;
            }
        }

        return false;
    }

    private static string Digest(string text) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..40];
}
