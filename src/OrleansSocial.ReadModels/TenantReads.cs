using OrleansSocial.Channels;
using OrleansSocial.Posts;
using OrleansSocial.ReadModels.Analytics;
using OrleansSocial.ReadModels.Lists;
using OrleansSocial.ReadModels.Posts;
using OrleansSocial.ReadModels.Sync;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Naming;
using OrleansSocial.Storage.Placement;
using OrleansSocial.Tenancy;
using OrleansSocial.Webhooks;

namespace OrleansSocial.ReadModels;

/// <summary>
/// Everything the HTTP front reads without a grain, by tenant id: the named queries of this project
/// run against the tenant's database (or the catalog), and the store's own refusals come back as the
/// <see cref="DomainException"/>s every other path raises. The front never holds a database handle.
/// </summary>
public sealed class TenantReads(IDocumentStore store, PlacedDocumentStore placed)
{
    /// <summary>Whether an id is shaped like a tenant id (the one pattern, shared with database naming).</summary>
    public static bool IsTenantId(string? id) => id is not null && StorageNames.TenantIdPattern().IsMatch(id);

    public Task<(IReadOnlyList<T> Items, string? NextCursor)> ListAsync<T>(string tenantId, ListQuery<T> query, CancellationToken cancellationToken) where T : class =>
        Refusing(() => query.RunAsync(Tenant(tenantId), cancellationToken));

    public Task<(IReadOnlyList<PostView> Items, string? NextCursor)> CalendarAsync(string tenantId, CalendarQuery query, CancellationToken cancellationToken) =>
        Refusing(() => query.RunAsync(Tenant(tenantId), cancellationToken));

    public Task<Overview> OverviewAsync(string tenantId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        Refusing(() => OverviewQuery.RunAsync(Tenant(tenantId), from, to, cancellationToken));

    /// <summary>A page of the tenant's channel ids, in id order (the views come from the channel grains).</summary>
    public Task<(IReadOnlyList<string> Items, string? NextCursor)> ChannelIdsAsync(string tenantId, int limit, string? cursor, CancellationToken cancellationToken) =>
        Refusing(async () =>
        {
            var page = await Tenant(tenantId).GetCollection(Collections.Channels).QueryAsync(new DocumentQuery { Limit = limit, Cursor = cursor }, cancellationToken);
            return ((IReadOnlyList<string>)[.. page.Items.Select(i => i.Id)], page.NextCursor);
        });

    public Task<ProfileRecord?> ProfileAsync(string tenantId, string channelId, CancellationToken cancellationToken) =>
        Refusing(async () => await Tenant(tenantId).GetCollection(Collections.Profiles).GetAsync(channelId, cancellationToken) is { } json ? DocumentJson.TryRead<ProfileRecord>(json) : null);

    /// <summary>The period report as CSV, written to <paramref name="output"/> a page of posts at a time.</summary>
    public Task ReportCsvAsync(string tenantId, DateTimeOffset from, DateTimeOffset to, Stream output, CancellationToken cancellationToken) =>
        Refusing(async () =>
        {
            await Report.WriteCsvAsync(Tenant(tenantId), from, to, output, cancellationToken);
            return true;
        });

    /// <summary>What the period report's page shows: figures, days and top posts per channel.</summary>
    public Task<(Overview Overview, IReadOnlyList<ReportChannel> Channels)> ReportAsync(string tenantId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        Refusing(() => Report.ReadAsync(Tenant(tenantId), from, to, cancellationToken));

    /// <summary>A channel's best times from its tally: one document read and 168 slots ranked, whatever its history.</summary>
    public Task<BestTimesView> BestTimesAsync(string tenantId, string channelId, CancellationToken cancellationToken) =>
        Refusing(async () =>
            await Tenant(tenantId).GetCollection(Collections.ChannelInsights).GetAsync(channelId, cancellationToken) is { } json
            && DocumentJson.TryRead<ChannelInsightsRecord>(json)?.BestTimes is { Slots.Count: BestTimesRecord.SlotCount, TimeZone: not null } tally
                ? BestTimesRanking.Rank(tally)
                : BestTimesRanking.NotYetTallied(channelId));

    /// <summary>The tenant's webhook endpoints, oldest first (a handful: the plan caps them).</summary>
    public Task<IReadOnlyList<WebhookView>> WebhooksAsync(string tenantId, CancellationToken cancellationToken) =>
        Refusing(async () =>
        {
            var items = new List<WebhookView>();
            await foreach (var stored in Tenant(tenantId).GetCollection(Collections.Webhooks).ReadAllAsync(cancellationToken))
            {
                if (DocumentJson.TryRead<WebhookView>(stored.Body) is { WebhookId: not null, Url: not null, Events: not null } webhook)
                {
                    items.Add(webhook);
                }
            }

            return (IReadOnlyList<WebhookView>)[.. items.OrderBy(w => w.CreatedAt)];
        });

    /// <summary>The operator's list of tenants.</summary>
    public Task<(IReadOnlyList<TenantListQuery.Summary> Items, string? NextCursor)> TenantsAsync(TenantListQuery query, CancellationToken cancellationToken) =>
        Refusing(() => query.RunAsync(store.Catalog, cancellationToken));

    /// <summary>Where a tenant's database is: its server's name, and the server it is moving to (null when settled).</summary>
    /// <summary>Where the tenant's data is: its server, the server it is being copied to, and its isolation tier.</summary>
    public async Task<(string Server, string? MovingTo, string Isolation)> PlacementAsync(string database, CancellationToken cancellationToken)
    {
        var placement = await Placed.LocateAsync(database, cancellationToken);
        return (placement.Server, placement.MovePhase == PlacementRecord.Copying ? placement.MoveTo : null, placement.Location.Isolation);
    }

    /// <summary>The tiers the deployment's servers offer.</summary>
    public IReadOnlyCollection<string> Isolations => Placed.Isolations;

    /// <summary>Each database server by name: engine, weight, tenants, whether it holds the catalog, whether it answers now (never an address).</summary>
    public async Task<IReadOnlyList<ServerSummary>> ServersAsync(CancellationToken cancellationToken)
    {
        var counts = await Placed.CountsAsync(cancellationToken);
        var health = await Placed.HealthAsync(TimeSpan.FromSeconds(3), cancellationToken);
        return [.. Placed.Servers.Select(s => new ServerSummary(s.Name, s.Store.Engine, s.Weight, counts.GetValueOrDefault(s.Name), s == Placed.Primary, health[s.Name] is null, health[s.Name]))];
    }

    // Where tenants are is the placement's to say, whatever wraps the store requests go through.
    private PlacedDocumentStore Placed => placed;

    private IDocumentDatabase Tenant(string tenantId) => store.GetDatabase(StorageNames.TenantDatabase(tenantId));

    private static async Task<T> Refusing<T>(Func<Task<T>> read)
    {
        try
        {
            return await read();
        }
        catch (TenantMovingException moving)
        {
            throw DomainException.Moving(moving.RetryAfter);
        }
        catch (StorageBusyException busy)
        {
            throw DomainException.Busy(busy.RetryAfter);
        }
        catch (InvalidCursorException)
        {
            // A cursor this store did not issue is the caller's mistake.
            throw DomainException.Invalid("cursor", "The cursor is not valid.");
        }
    }
}

/// <summary>A database server as the operator sees it.</summary>
public sealed record ServerSummary(string Name, string Engine, int Weight, long Tenants, bool Catalog, bool Healthy, string? Problem);
