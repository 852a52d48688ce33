using OrleansSocial.Storage.Documents;
using OrleansSocial.Tenancy;

namespace OrleansSocial.ReadModels.Operations;

/// <summary>
/// The product at a glance, for operators: read from the catalog only — tenant entries, the rows
/// the grains keep on the <see cref="BoardRow">operator board</see>, and each silo's published
/// figures — a fixed number of indexed counts and one small document per silo, never a tenant database.
/// </summary>
public sealed class OperatorOverview(IDocumentStore store, TenantReads reads, OperatorFigures local, TimeProvider time, Microsoft.Extensions.Options.IOptions<OperationsOptions> options)
{
    private const int BusiestBudgets = 10;

    /// <summary>The catalog indexes the overview counts by: tenants by status and by plan, and the board's.</summary>
    public static IEnumerable<(string Collection, IndexDefinition Index)> Indexes =>
    [
        (Collections.Tenants, new IndexDefinition("state_status", [new IndexField(Catalog.CatalogEntry.StateField, FieldKind.String), new IndexField("status", FieldKind.String)])),
        (Collections.Tenants, new IndexDefinition("state_plan", [new IndexField(Catalog.CatalogEntry.StateField, FieldKind.String), new IndexField("plan", FieldKind.String)])),
        .. BoardRow.Indexes.Select(index => (Collections.OperatorBoard, index)),
    ];

    private IDocumentCollection Board => store.Catalog.GetCollection(Collections.OperatorBoard);

    private IDocumentCollection Figures => store.Catalog.GetCollection(Collections.SiloFigures);

    /// <summary>Writes this silo's figures where the other silos' overviews read them.</summary>
    public Task PublishAsync(CancellationToken cancellationToken) =>
        local.Silo is { } silo
            ? Figures.UpsertAsync(silo, DocumentJson.ToJson(local.Snapshot(silo)), cancellationToken)
            : Task.CompletedTask;

    public async Task<OverviewView> ReadAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var silos = await SiloFiguresAsync(now, cancellationToken);
        var minutes = silos.SelectMany(s => s.Minutes).ToList();
        var lastHour = minutes.Where(m => m.At >= now - TimeSpan.FromHours(1)).ToList();

        return new OverviewView(
            now,
            await TenantsAsync(cancellationToken),
            await ChannelsAsync(now, cancellationToken),
            new SyncFigures(Sum(minutes.Select(m => m.Syncs))),
            await PublishingAsync(now, lastHour, minutes, cancellationToken),
            await WebhooksAsync(now, cancellationToken),
            [.. silos.SelectMany(s => s.Budgets).GroupBy(b => b.Bucket).Select(g => g.MaxBy(b => b.At)!).OrderByDescending(b => b.PercentUsed).Take(BusiestBudgets)],
            Authentication(now, minutes),
            [.. (await reads.ServersAsync(cancellationToken)).Select(s => new ServerHealth(s.Name, s.Engine, s.Healthy, s.Problem, s.Tenants))],
            [.. silos.Select(s => new SiloSeen(s.Silo, s.At))]);
    }

    private async Task<List<SiloFigures>> SiloFiguresAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var found = new List<SiloFigures>();
        string? cursor = null;
        do
        {
            var page = await Figures.QueryAsync(new DocumentQuery { Limit = 100, Cursor = cursor }, cancellationToken);
            found.AddRange(page.Items.Select(i => DocumentJson.TryRead<SiloFigures>(i.Body)).OfType<SiloFigures>());
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        // This silo's own figures as they are now, not as last published; a silo silent for a day is gone.
        if (local.Silo is { } silo)
        {
            found.RemoveAll(f => f.Silo == silo);
            found.Add(local.Snapshot(silo));
        }

        return [.. found.Where(f => f.At >= now - OperatorFigures.Window && f.Minutes is not null && f.Budgets is not null).OrderBy(f => f.Silo, StringComparer.Ordinal)];
    }

    private async Task<TenantFigures> TenantsAsync(CancellationToken cancellationToken)
    {
        var tenants = store.Catalog.GetCollection(Collections.Tenants);
        var ready = FieldFilter.Eq(Catalog.CatalogEntry.StateField, Catalog.CatalogEntry.Ready);
        var byStatus = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var status in new[] { "active", "suspended" })
        {
            byStatus[status] = await tenants.CountAsync([ready, FieldFilter.Eq("status", status)], cancellationToken);
        }

        var byPlan = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var plan in Plans.All)
        {
            byPlan[plan] = await tenants.CountAsync([ready, FieldFilter.Eq("plan", plan)], cancellationToken);
        }

        return new TenantFigures(byStatus, byPlan);
    }

    private async Task<ChannelFigures> ChannelsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var kind = FieldFilter.Eq("kind", BoardRow.ChannelKind);
        var byStatus = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var status in new[] { "active", "needs_reauth", "paused" })
        {
            byStatus[status] = await Board.CountAsync([kind, FieldFilter.Eq("status", status)], cancellationToken);
        }

        var expiring = await Board.CountAsync([kind, FieldFilter.Gte("expiresAt", StoredTime.Of(now)), FieldFilter.Lt("expiresAt", StoredTime.Of(now + options.Value.TokenExpiryHorizon))], cancellationToken);
        var oldest = await OldestAsync([kind, FieldFilter.Eq("status", "active"), FieldFilter.Lt("at", StoredTime.Of(now - options.Value.DataPastDueAfter))], cancellationToken);
        return new ChannelFigures(byStatus, expiring,
            oldest is { At: { } at } ? new PastDueChannel(oldest.TenantId, oldest.EntityId, at, Math.Round((now - at - options.Value.DataPastDueAfter).TotalSeconds)) : null);
    }

    private async Task<PublishingFigures> PublishingAsync(DateTimeOffset now, List<MinuteFigures> lastHour, List<MinuteFigures> lastDay, CancellationToken cancellationToken)
    {
        var kind = FieldFilter.Eq("kind", BoardRow.PublicationKind);
        var overdue = await Board.CountAsync([kind, FieldFilter.Lt("at", StoredTime.Of(now))], cancellationToken);
        var dueSoon = await Board.CountAsync([kind, FieldFilter.Gte("at", StoredTime.Of(now)), FieldFilter.Lt("at", StoredTime.Of(now + TimeSpan.FromHours(1)))], cancellationToken);
        var histogram = new long[OperatorFigures.LatenessBounds.Length + 1];
        foreach (var minute in lastHour)
        {
            for (var i = 0; i < histogram.Length && i < minute.Lateness.Count; i++)
            {
                histogram[i] += minute.Lateness[i];
            }
        }

        var published = histogram.Sum();
        return new PublishingFigures(dueSoon, overdue, published, Percentile(histogram, 0.5), Percentile(histogram, 0.99), Sum(lastDay.Select(m => m.Failures)));
    }

    private async Task<WebhookFigures> WebhooksAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var kind = FieldFilter.Eq("kind", BoardRow.EndpointKind);
        var disabled = await Board.CountAsync([kind, FieldFilter.Eq("status", "disabled")], cancellationToken);
        long waiting = 0;
        DateTimeOffset? oldest = null;
        string? cursor = null;
        do
        {
            // Only endpoints with something waiting: a page of rows, not every endpoint.
            var page = await Board.QueryAsync(new DocumentQuery { Filters = [kind, FieldFilter.Gte("waiting", 1)], Sort = new SortField("waiting", FieldKind.Number), Limit = DocumentQuery.MaxLimit, Cursor = cursor }, cancellationToken);
            foreach (var row in page.Items.Select(i => DocumentJson.TryRead<BoardRow>(i.Body)).OfType<BoardRow>())
            {
                waiting += row.Waiting;
                oldest = row.At is { } at && (oldest is null || at < oldest) ? at : oldest;
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);

        return new WebhookFigures(waiting, oldest is { } o ? Math.Round((now - o).TotalSeconds) : null, disabled);
    }

    private async Task<BoardRow?> OldestAsync(IReadOnlyList<FieldFilter> filters, CancellationToken cancellationToken)
    {
        var page = await Board.QueryAsync(new DocumentQuery { Filters = filters, Sort = new SortField("at", FieldKind.String), Limit = 1 }, cancellationToken);
        return page.Items.Select(i => DocumentJson.TryRead<BoardRow>(i.Body)).OfType<BoardRow>().FirstOrDefault();
    }

    private static AuthenticationFigures Authentication(DateTimeOffset now, List<MinuteFigures> minutes)
    {
        var thisMinute = now.ToUnixTimeSeconds() / 60;
        var byMinute = minutes.GroupBy(m => m.At.ToUnixTimeSeconds() / 60).ToDictionary(g => g.Key, g => g.Sum(m => m.FailedAuthentications));
        var lastTen = Enumerable.Range(0, 10).Select(back => thisMinute - back)
            .Select(minute => new MinuteCount(DateTimeOffset.FromUnixTimeSeconds(minute * 60), byMinute.GetValueOrDefault(minute))).ToList();
        return new AuthenticationFigures(lastTen[0].Count, lastTen);
    }

    /// <summary>The upper bound of the bucket the quantile falls in (null with no sample; the open bucket reads as its lower bound).</summary>
    private static double? Percentile(long[] histogram, double quantile)
    {
        var total = histogram.Sum();
        if (total == 0)
        {
            return null;
        }

        var rank = Math.Ceiling(quantile * total);
        long seen = 0;
        for (var i = 0; i < histogram.Length; i++)
        {
            seen += histogram[i];
            if (seen >= rank)
            {
                return OperatorFigures.LatenessBounds[Math.Min(i, OperatorFigures.LatenessBounds.Length - 1)];
            }
        }

        return OperatorFigures.LatenessBounds[^1];
    }

    private static Dictionary<string, long> Sum(IEnumerable<IReadOnlyDictionary<string, long>> counts)
    {
        var total = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (key, count) in counts.SelectMany(c => c))
        {
            total[key] = total.GetValueOrDefault(key) + count;
        }

        return total;
    }
}

/// <param name="At">When this was read.</param>
/// <param name="Budgets">The busiest Graph rate-limit buckets (a Page, an Instagram account, the app) by the share Graph last reported used.</param>
/// <param name="Silos">The silos whose figures are included, and when each last published them.</param>
public sealed record OverviewView(
    DateTimeOffset At,
    TenantFigures Tenants,
    ChannelFigures Channels,
    SyncFigures Syncs,
    PublishingFigures Publishing,
    WebhookFigures Webhooks,
    IReadOnlyList<BudgetUse> Budgets,
    AuthenticationFigures Authentication,
    IReadOnlyList<ServerHealth> Servers,
    IReadOnlyList<SiloSeen> Silos);

/// <param name="ByStatus">Ready tenants by status (active, suspended).</param>
/// <param name="ByPlan">Ready tenants by plan.</param>
public sealed record TenantFigures(IReadOnlyDictionary<string, long> ByStatus, IReadOnlyDictionary<string, long> ByPlan);

/// <param name="ByStatus">Channels by status: active, needs_reauth, paused.</param>
/// <param name="TokensExpiringSoon">Channels whose token expires within the next 7 days (Operations:TokenExpiryHorizon).</param>
/// <param name="OldestPastDue">The active channel whose last good daily sync is oldest, when that is more than 31 hours ago (Operations:DataPastDueAfter); null when none is past due.</param>
public sealed record ChannelFigures(IReadOnlyDictionary<string, long> ByStatus, long TokensExpiringSoon, PastDueChannel? OldestPastDue);

/// <param name="LastGoodSync">Its last successful daily sync (its connection, when it never had one).</param>
/// <param name="OverdueSeconds">Seconds past the time after which its data counts as past due.</param>
public sealed record PastDueChannel(string TenantId, string ChannelId, DateTimeOffset LastGoodSync, double OverdueSeconds);

/// <param name="Last24Hours">Sync runs ended in the last 24 hours, by outcome (succeeded, failed).</param>
public sealed record SyncFigures(IReadOnlyDictionary<string, long> Last24Hours);

/// <param name="DueNextHour">Publications waiting for a time within the next hour.</param>
/// <param name="Overdue">Publications whose time has passed and that are not published or settled yet.</param>
/// <param name="PublishedLastHour">Publications published in the last hour.</param>
/// <param name="LatenessP50Seconds">Median seconds from due time to publication over the last hour, as the upper bound of its histogram bucket; null with none published.</param>
/// <param name="LatenessP99Seconds">The 99th percentile, the same way.</param>
/// <param name="FailuresLast24Hours">Publications failed in the last 24 hours, by reason.</param>
public sealed record PublishingFigures(long DueNextHour, long Overdue, long PublishedLastHour, double? LatenessP50Seconds, double? LatenessP99Seconds, IReadOnlyDictionary<string, long> FailuresLast24Hours);

/// <param name="DeliveriesWaiting">Webhook deliveries not yet delivered nor given up, over every endpoint (each endpoint counts at most 200).</param>
/// <param name="OldestWaitingSeconds">Age of the oldest waiting delivery; null when none waits.</param>
/// <param name="EndpointsDisabled">Endpoints turned off (by failures or by a member).</param>
public sealed record WebhookFigures(long DeliveriesWaiting, double? OldestWaitingSeconds, long EndpointsDisabled);

/// <param name="LastMinute">Failed authentications in the current minute, over every silo.</param>
/// <param name="PerMinute">The last ten minutes, newest first.</param>
public sealed record AuthenticationFigures(long LastMinute, IReadOnlyList<MinuteCount> PerMinute);

public sealed record MinuteCount(DateTimeOffset Minute, long Count);

/// <param name="Healthy">Whether it answered a ping just now (within 3 s).</param>
/// <param name="Problem">Why not, when it did not; never an address or credential.</param>
public sealed record ServerHealth(string Name, string Engine, bool Healthy, string? Problem, long Tenants);

public sealed record SiloSeen(string Silo, DateTimeOffset PublishedAt);
