using System.Text.Json.Nodes;
using OrleansSocial.GraphEmulator.World;

namespace OrleansSocial.GraphEmulator.Graph;

public sealed partial class GraphDispatcher
{
    /// <summary><c>GET /oauth/access_token?grant_type=fb_exchange_token</c>: short-lived to long-lived.</summary>
    private GraphResult Exchange(GraphRequest request)
    {
        if (request["grant_type"] != "fb_exchange_token")
        {
            return GraphErrors.Error(100, "Unsupported grant_type");
        }

        if (request["client_id"] != state.Options.AppId || request["client_secret"] != state.Options.AppSecret)
        {
            return GraphErrors.Error(101, "Error validating client secret.");
        }

        var input = request["fb_exchange_token"] is { } value ? state.Tokens.Find(value) : null;
        if (input is null || input.RevokedSubcode is not null)
        {
            return GraphErrors.BadToken(input?.RevokedSubcode, "Invalid OAuth access token - Cannot parse access token");
        }

        if (input.ExpiresAt <= Now)
        {
            return GraphErrors.BadToken(463, "Error validating access token: Session has expired.");
        }

        var issued = state.Tokens.ExchangeForLongLived(input, Now);
        var body = new JsonObject { ["access_token"] = issued.Token, ["token_type"] = "bearer" };
        if (issued.ExpiresAt is { } expires)
        {
            body["expires_in"] = (long)(expires - Now).TotalSeconds;
        }

        return GraphResult.Ok(body);
    }

    /// <summary>
    /// Instagram Login (graph.instagram.com): <c>GET /access_token?grant_type=ig_exchange_token</c> turns a
    /// short-lived token into a 60-day one; <c>GET /refresh_access_token?grant_type=ig_refresh_token</c> gives a
    /// long-lived token that is at least a day old and unexpired a new 60 days. The token comes in the query.
    /// </summary>
    private GraphResult InstagramToken(GraphRequest request)
    {
        var refresh = request.Segments[0] == "refresh_access_token";
        if (request["grant_type"] != (refresh ? "ig_refresh_token" : "ig_exchange_token"))
        {
            return GraphErrors.Error(100, "Unsupported grant_type");
        }

        if (!refresh && request["client_secret"] != state.Options.InstagramAppSecret)
        {
            return GraphErrors.Error(101, "Error validating client secret.");
        }

        var input = request.Token is { } value ? state.Tokens.Find(value) : null;
        if (input is null || input.Type != TokenType.InstagramUser || input.RevokedSubcode is not null)
        {
            return GraphErrors.BadToken(input?.RevokedSubcode, "Invalid OAuth access token - Cannot parse access token");
        }

        if (input.ExpiresAt <= Now)
        {
            return GraphErrors.BadToken(463, "Error validating access token: Session has expired.");
        }

        if (refresh && !input.LongLived)
        {
            return GraphErrors.Error(100, "Only long-lived access tokens can be refreshed");
        }

        if (refresh && Now - input.IssuedAt < TokenStore.InstagramRefreshAge)
        {
            return GraphErrors.Error(100, "The access token can be refreshed only once it is at least 24 hours old");
        }

        if (!refresh && input.LongLived)
        {
            return GraphErrors.Error(100, "Only short-lived access tokens can be exchanged");
        }

        var issued = state.Tokens.IssueInstagramLongLived(input, Now);
        return GraphResult.Ok(new JsonObject
        {
            ["access_token"] = issued.Token,
            ["token_type"] = "bearer",
            ["expires_in"] = (long)(issued.ExpiresAt!.Value - Now).TotalSeconds,
        });
    }

    /// <summary><c>GET /debug_token?input_token=</c>: answers 200 even for bad tokens, with is_valid false and the error.</summary>
    private GraphResult DebugToken(GraphRequest request, TokenInfo caller)
    {
        if (request["input_token"] is not { } inputToken)
        {
            return GraphErrors.MissingParameter("input_token");
        }

        var info = state.Tokens.Find(inputToken);
        var data = new JsonObject { ["app_id"] = state.Options.AppId, ["application"] = "OrleansSocial Emulator" };
        if (info is null)
        {
            data["is_valid"] = false;
            data["error"] = new JsonObject { ["code"] = 190, ["message"] = "Invalid OAuth access token." };
            return GraphResult.Ok(new JsonObject { ["data"] = data });
        }

        var expired = info.ExpiresAt is { } at && at <= Now;
        data["type"] = info.Type.ToString().ToUpperInvariant();
        data["expires_at"] = info.ExpiresAt?.ToUnixTimeSeconds() ?? 0;
        data["data_access_expires_at"] = (Now + TimeSpan.FromDays(90)).ToUnixTimeSeconds();
        data["issued_at"] = info.IssuedAt.ToUnixTimeSeconds();
        data["is_valid"] = !expired && info.RevokedSubcode is null;
        data["scopes"] = new JsonArray("pages_show_list", "pages_read_engagement", "pages_manage_posts", "read_insights", "instagram_basic", "instagram_content_publish", "instagram_manage_insights");
        data["user_id"] = info.UserId;
        if (info.PageId is not null)
        {
            data["profile_id"] = info.PageId;
        }

        if (expired || info.RevokedSubcode is not null)
        {
            data["error"] = new JsonObject
            {
                ["code"] = 190,
                ["message"] = expired ? "Error validating access token: Session has expired." : "Error validating access token: The session has been invalidated.",
                ["subcode"] = info.RevokedSubcode ?? 463,
            };
        }

        return GraphResult.Ok(new JsonObject { ["data"] = data });
    }
}
