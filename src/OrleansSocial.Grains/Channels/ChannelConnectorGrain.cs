using Orleans.Concurrency;
using OrleansSocial.Budget;
using OrleansSocial.Channels;
using OrleansSocial.Graph;
using OrleansSocial.Graph.Models;
using OrleansSocial.Grains.Budget;
using OrleansSocial.Tenancy;

namespace OrleansSocial.Grains.Channels;

/// <summary>
/// Connects a user's accounts within the plan's channel limit, audited in the tenant's log. Every
/// Graph call asks the app's rate budget first (a manual priority, as a member waits for it); a spent
/// budget is a 503 with the time it regains, Facebook's refusal of the token a 400 naming it, and any
/// other Graph failure a 502: Graph's own types never leave the grains.
/// </summary>
[StatelessWorker]
public sealed class ChannelConnectorGrain(GraphClient graph, TimeProvider time) : Grain, IChannelConnectorGrain
{
    private string TenantId => this.GetPrimaryKeyString();

    /// <summary>The platform-wide budget of the app behind <paramref name="client"/>'s host.</summary>
    private BudgetGate AppOf(GraphClient client) => new(GrainFactory.GetGrain<IRateBudgetGrain>($"app:{client.AppId}"), time, TenantId);

    public async Task<IReadOnlyList<ChannelView>> Connect(Actor actor, string platform, string userAccessToken)
    {
        ValidateUserToken(userAccessToken);
        var accounts = await DiscoverAsync(platform, userAccessToken);
        var tenant = GrainFactory.GetGrain<ITenantGrain>(TenantId);
        // The limit is checked in the tenant grain's turn: two connects at once cannot both squeeze in.
        await tenant.AdmitChannels(actor, [.. accounts.Select(a => ChannelIds.For(platform, a.ExternalId))]);

        var views = new List<ChannelView>();
        foreach (var account in accounts)
        {
            var channelId = ChannelIds.For(platform, account.ExternalId);
            var view = await GrainFactory.GetGrain<IChannelGrain>(ChannelIds.GrainKey(TenantId, channelId)).Connect(account);
            await tenant.RecordAudit(actor, "channel.connected", channelId, "success", account.Name);
            views.Add(view);
        }

        return views;
    }

    public async Task<ChannelView> ConnectInstagramLogin(Actor actor, string accessToken)
    {
        ValidateToken("accessToken", accessToken);
        var account = await DiscoverInstagramLoginAsync("accessToken", accessToken);
        var channelId = ChannelIds.For(account.Platform, account.ExternalId);
        var tenant = GrainFactory.GetGrain<ITenantGrain>(TenantId);
        await tenant.AdmitChannels(actor, [channelId]);
        var view = await GrainFactory.GetGrain<IChannelGrain>(ChannelIds.GrainKey(TenantId, channelId)).Connect(account);
        await tenant.RecordAudit(actor, "channel.connected", channelId, "success", $"{account.Name} (Instagram Login)");
        return view;
    }

    public async Task<ChannelView> Reauthorize(Actor actor, string channelId, string userAccessToken)
    {
        ValidateUserToken(userAccessToken);
        var channel = GrainFactory.GetGrain<IChannelGrain>(ChannelIds.GrainKey(TenantId, channelId));
        var current = await channel.Get() ?? throw DomainException.NotFound("channel", $"Channel '{channelId}' does not exist.");
        var accounts = current.Login == ChannelLogins.Instagram
            ? [await DiscoverInstagramLoginAsync("userAccessToken", userAccessToken)]
            : await DiscoverAsync(current.Platform, userAccessToken);
        var account = accounts.FirstOrDefault(a => a.ExternalId == current.ExternalId)
            ?? throw DomainException.Invalid("userAccessToken", "That user does not manage this channel's account.");
        var view = await channel.Reauthorize(account);
        await GrainFactory.GetGrain<ITenantGrain>(TenantId).RecordAudit(actor, "channel.reauthorized", channelId, "success", null);
        return view;
    }

    private static void ValidateUserToken(string userAccessToken) => ValidateToken("userAccessToken", userAccessToken);

    private static void ValidateToken(string field, string token)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 1000)
        {
            throw DomainException.Invalid(field, $"{field} must be an access token (1-1000 characters).");
        }
    }

    /// <summary>
    /// Instagram Login: the short-lived token exchanged for a 60-day one on the Instagram host, then the
    /// account it acts for read with it. Both calls spend the Instagram app's budget.
    /// </summary>
    private async Task<ChannelConnection> DiscoverInstagramLoginAsync(string field, string shortLivedToken)
    {
        var instagram = graph.On(GraphHost.Instagram);
        if (!instagram.InstagramLoginConfigured)
        {
            throw DomainException.Upstream("Instagram Login is not configured on this server (Graph:InstagramAppSecret).");
        }

        var app = AppOf(instagram);
        return await AskingAsync(field, "Instagram", "access token", "Instagram API", async () =>
        {
            var longLived = (await app.CallAsync(BudgetPriority.Manual, 1, () => instagram.ExchangeInstagramTokenAsync(shortLivedToken), r => r.Usage)).Value;
            var profile = (await app.CallAsync(BudgetPriority.Manual, 1, () => instagram.GetInstagramLoginProfileAsync(longLived.AccessToken), r => r.Usage)).Value;
            var accountId = profile.AccountId is { } id && ChannelIds.IsValid(ChannelIds.For(ChannelIds.Instagram, id))
                ? id : throw DomainException.Upstream("Instagram did not name the account behind the token; try again later.");
            // An answer without expires_in still expires: as documented, 60 days on.
            var expiresAt = time.GetUtcNow() + (longLived.ExpiresIn is > 0 and var seconds ? TimeSpan.FromSeconds(seconds) : GraphClient.InstagramLongLivedTokenLifetime);
            return new ChannelConnection(ChannelIds.Instagram, accountId, profile.Username ?? profile.Name ?? accountId, longLived.AccessToken, expiresAt, null, ChannelLogins.Instagram);
        });
    }

    private async Task<List<ChannelConnection>> DiscoverAsync(string platform, string userAccessToken)
    {
        var app = AppOf(graph);
        return await AskingAsync("userAccessToken", "Facebook", "user access token", "Graph API", async () =>
        {
            var longLived = (await app.CallAsync(BudgetPriority.Manual, 1, () => graph.ExchangeForLongLivedTokenAsync(userAccessToken), r => r.Usage)).Value;
            var connections = new List<ChannelConnection>();
            await foreach (var page in app.PagesAsync(BudgetPriority.Manual, graph.GetAccountsAsync(longLived.AccessToken)))
            {
                foreach (var account in page.Items.Where(a => a.AccessToken is not null))
                {
                    if (platform == ChannelIds.Facebook)
                    {
                        // Page tokens from a long-lived user token do not expire.
                        connections.Add(new ChannelConnection(platform, account.Id, account.Name ?? account.Id, account.AccessToken!, null, account.Id));
                    }
                    else if (account.InstagramBusinessAccount is { } ig)
                    {
                        var profile = (await app.CallAsync(BudgetPriority.Manual, 1, () => graph.GetInstagramAccountAsync(ig.Id, account.AccessToken!), r => r.Usage)).Value;
                        connections.Add(new ChannelConnection(platform, ig.Id, profile.Username ?? profile.Name ?? ig.Id, account.AccessToken!, null, account.Id));
                    }
                }
            }

            return connections;
        });
    }

    /// <summary>
    /// Graph's answers as the domain's: the platform refusing the token is a 400 naming
    /// <paramref name="field"/>, a spent budget a 503 with the time it regains, any other Graph failure a 502.
    /// </summary>
    private async Task<T> AskingAsync<T>(string field, string platform, string token, string api, Func<Task<T>> work)
    {
        try
        {
            return await work();
        }
        catch (GraphException exception) when (exception.Kind is GraphErrorKind.TokenInvalid or GraphErrorKind.InvalidRequest or GraphErrorKind.PermissionMissing)
        {
            throw DomainException.Invalid(field, $"{platform} refused the {token} ({exception.Kind}, code {exception.Code}).");
        }
        catch (GraphException exception)
        {
            throw DomainException.Upstream($"The {api} failed ({exception.Kind}, code {exception.Code}); try again later.");
        }
        catch (BudgetDeferredException deferred)
        {
            throw DomainException.BudgetSpent(deferred.RetryAt - time.GetUtcNow());
        }
    }
}
