using System.Collections.Concurrent;
using System.Text.Json;
using OrleansSocial.ReadModels.Inbox;
using Npgsql;
using OrleansSocial.Posts;
using OrleansSocial.ReadModels;
using OrleansSocial.ReadModels.Lists;
using OrleansSocial.ReadModels.Posts;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Naming;
using OrleansSocial.Storage.Postgres;
using OrleansSocial.Storage.Sqlite;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Storage;

/// <summary>
/// Every list query (each shape of the calendar: status, channel, time range; and every other list) is served by an index
/// on the real engine, on its first page and a later one: its EXPLAIN names one and never scans the
/// whole collection. Thousands of posts over five statuses and twenty channels, so a planner with
/// statistics has a reason to choose. Each shape of data is written once per engine and read by
/// every case that plans against it (the plans depend on the data, not on which case wrote it).
/// </summary>
public abstract class ReadQueryPlanContract(ReadQueryPlanData data)
{
    private const int PostCount = 3_000;
    private static readonly PublicationStatus[] Statuses = [PublicationStatus.Draft, PublicationStatus.PendingApproval, PublicationStatus.Scheduled, PublicationStatus.Published, PublicationStatus.Cancelled];
    private static readonly DateTimeOffset Start = new(2027, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A new, empty tenant database of the engine; <paramref name="data"/> keeps what it needs until the class is done.</summary>
    protected abstract Task<IDocumentDatabase> DatabaseAsync(string name, ReadQueryPlanData data);

    /// <summary>The database <paramref name="key"/> names, made, filled and analysed by the first case that asks.</summary>
    private Task<IDocumentDatabase> FilledAsync(string key, Func<IDocumentDatabase, Task> fill) => data.OnceAsync(key, async () =>
    {
        var name = "tenant_plan_" + Guid.NewGuid().ToString("N")[..10];
        var database = await DatabaseAsync(name, data);
        await fill(database);
        await AnalyzeAsync(name);
        return database;
    });

    /// <summary>After the data is in: what the engine needs to plan with it (statistics).</summary>
    protected virtual Task AnalyzeAsync(string name) => Task.CompletedTask;

    /// <summary>Whether a plan reads the collection through an index and never scans it whole.</summary>
    protected abstract void AssertIndexed(string plan, string table);

    public static IEnumerable<object?[]> Shapes()
    {
        var from = Start.AddDays(5);
        var to = Start.AddDays(30);
        foreach (var channel in new string?[] { null, "fb-1000000000007" })
        {
            yield return [null, channel, null, null];
            yield return ["scheduled", channel, null, null];
            yield return [null, channel, from, null];
            yield return [null, channel, null, to];
            yield return [null, channel, from, to];
            yield return ["published", channel, from, to];
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task Each_calendar_query_is_served_by_an_index_on_the_first_and_a_later_page(string? status, string? channelId, DateTimeOffset? from, DateTimeOffset? to)
    {
        var database = await FilledAsync("calendar", FillAsync);
        var wanted = status is null ? (PublicationStatus?)null : Enum.GetValues<PublicationStatus>().Single(s => CalendarQuery.StatusName(s) == status);
        var query = new CalendarQuery(wanted, channelId, from, to, 10, null);
        var collection = database.GetCollection(query.Collection);

        var first = await collection.QueryAsync(query.PageQuery, CancellationToken.None);
        AssertIndexed(await ((IExplainsQueries)collection).ExplainAsync(query.PageQuery, CancellationToken.None), "doc_" + query.Collection);
        Assert.NotNull(first.NextCursor);
        var later = query with { Cursor = first.NextCursor };
        AssertIndexed(await ((IExplainsQueries)collection).ExplainAsync(later.PageQuery, CancellationToken.None), "doc_" + query.Collection);

        // And the page is the right one: what a full read filtered and sorted in memory would give.
        var (items, _) = await query.RunAsync(database, CancellationToken.None);
        Assert.NotEmpty(items);
        Assert.All(items, p => Assert.True(wanted is null || p.Status == wanted));
        Assert.Equal(items.OrderBy(PostCalendar.KeyOf, StringComparer.Ordinal).Select(p => p.PostId), items.Select(p => p.PostId));
    }

    public static IEnumerable<object[]> Lists()
    {
        var since = Start.AddDays(3);
        var until = Start.AddDays(20);
        IListQuery[] queries =
        [
            new SyncRunsQuery("fb-1000000000007", 10, null),
            new SyncedPostsQuery("fb-1000000000007", null, null, 10, null),
            new SyncedPostsQuery("fb-1000000000007", since, until, 10, null),
            new CommentsQuery("fb-1000000000007", "post-7", 10, null),
            new InsightsQuery("fb-1000000000007", "reach", null, null, null, 10, null),
            new InsightsQuery("fb-1000000000007", "reach", "day", null, null, 5, null),
            new InsightsQuery("fb-1000000000007", null, null, since, until, 10, null),
            new DeliveriesQuery("w7", 10, null),
            new AuditQuery(10, null),
            new TenantListQuery(10, null),
            new InboxQuery(null, null, null, 10, null),
            new InboxQuery("succeeded", null, null, 10, null),
            new InboxQuery(null, "fb-1000000000007", null, 10, null),
            new InboxQuery("succeeded", "fb-1000000000007", null, 5, null),
            new InboxQuery(null, null, "m7", 10, null),
        ];
        return queries.Select(q => new object[] { q });
    }

    private static IEnumerable<IListQuery> ListQueries() => Lists().Select(l => (IListQuery)l[0]);

    [Theory]
    [MemberData(nameof(Lists))]
    public async Task Each_list_query_is_served_by_its_index_on_the_first_and_a_later_page(IListQuery query)
    {
        var database = await FilledAsync(query.Collection, d => FillListAsync(d, query.Collection));
        var collection = database.GetCollection(query.Collection);
        var first = await collection.QueryAsync(query.PageQuery, CancellationToken.None);
        Assert.NotNull(first.NextCursor);
        AssertIndexed(await ((IExplainsQueries)collection).ExplainAsync(query.PageQuery, CancellationToken.None), "doc_" + query.Collection);
        AssertIndexed(await ((IExplainsQueries)collection).ExplainAsync(query.PageQuery with { Cursor = first.NextCursor }, CancellationToken.None), "doc_" + query.Collection);
    }

    [Fact]
    public void Every_list_querys_index_is_created_for_every_tenant()
    {
        foreach (var query in ListQueries().Where(q => q.Collection != Collections.Tenants))
        {
            Assert.Contains((query.Collection, query.Index), OrleansSocial.Grains.Tenancy.TenantSchema.Indexes);
        }
    }

    /// <summary>
    /// Documents holding every field any list filters or sorts by, spread so each filter is
    /// selective, under every index the lists of that collection read by (as a tenant has them).
    /// </summary>
    private static async Task FillListAsync(IDocumentDatabase database, string name)
    {
        var collection = database.GetCollection(name);
        foreach (var index in ListQueries().Where(q => q.Collection == name).Select(q => q.Index).Distinct())
        {
            await collection.EnsureIndexAsync(index, CancellationToken.None);
        }

        for (var i = 0; i < PostCount; i++)
        {
            var at = StoredTime.Of(Start.AddMinutes(i * 17));
            await collection.UpsertAsync($"d{i:D6}", JsonSerializer.SerializeToElement(new
            {
                channelId = $"fb-10000000000{i % 20:00}", postId = $"post-{i % 200}", metric = new[] { "reach", "impressions", "followers", "engagement", "views" }[i / 20 % 5],
                period = new[] { "day", "week", "days_28" }[i / 100 % 3], webhookId = $"w{i % 20}", status = new[] { "pending", "succeeded", "failed" }[i / 20 % 3],
                state = i % 10 == 0 ? "provisioning" : "ready", startedAt = at, createdAt = at, endTime = at, at, activityAt = at, assigneeId = $"m{i % 20}",
            }), CancellationToken.None);
        }
    }

    private static async Task FillAsync(IDocumentDatabase database)
    {
        foreach (var (collection, index) in PostCalendar.Indexes)
        {
            await database.GetCollection(collection).EnsureIndexAsync(index, CancellationToken.None);
        }

        var posts = database.GetCollection(Collections.PlannedPosts);
        var rows = database.GetCollection(Collections.PostChannels);
        for (var i = 0; i < PostCount; i++)
        {
            var status = Statuses[(i / 20) % Statuses.Length];
            var postId = "p" + i.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
            DateTimeOffset? at = i % 10 == 0 ? null : Start.AddMinutes(i * 17);
            var channels = new[] { $"fb-10000000000{i % 20:00}", $"fb-10000000000{(i + 7) % 20:00}" };
            var post = new PostView(postId, "m1", status, new PostContent($"Post {i}", null, [], new Dictionary<string, VariantContent>(), at),
                [.. channels.Select(c => new PublicationView(c, "facebook", status, DueAt: at))], null, null, Start, Start);
            await posts.UpsertAsync(postId, PostCalendar.Stamped(DocumentJson.ToJson(post), post), CancellationToken.None);
            foreach (var channel in channels)
            {
                await rows.UpsertAsync(PostCalendar.RowId(postId, channel), DocumentJson.ToJson(PostCalendar.RowOf(post, channel)), CancellationToken.None);
            }
        }
    }
}

/// <summary>What a read-plan class makes once and every one of its cases reads: the store and the filled databases.</summary>
public sealed class ReadQueryPlanData : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, Lazy<Task<object>>> _made = new();
    private readonly ConcurrentStack<Func<Task>> _cleanups = new();

    /// <summary>What <paramref name="key"/> names, made by the first caller; later callers get the same.</summary>
    public async Task<T> OnceAsync<T>(string key, Func<Task<T>> make)
        where T : class => (T)await _made.GetOrAdd(key, _ => new Lazy<Task<object>>(async () => await make())).Value;

    /// <summary>Run when the class is done, last registered first.</summary>
    public void OnDispose(Func<Task> cleanup) => _cleanups.Push(cleanup);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        while (_cleanups.TryPop(out var cleanup))
        {
            await cleanup();
        }
    }
}

public sealed class SqliteReadQueryPlanTests(ReadQueryPlanData data) : ReadQueryPlanContract(data), IClassFixture<ReadQueryPlanData>
{
    protected override async Task<IDocumentDatabase> DatabaseAsync(string name, ReadQueryPlanData data)
    {
        var store = await data.OnceAsync("store", async () =>
        {
            var folder = new TempFolder("orleans-social-plan");
            data.OnDispose(() =>
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                folder.Dispose();
                return Task.CompletedTask;
            });
            var store = new SqliteDocumentStore(folder.Path);
            await store.InitializeAsync(CancellationToken.None);
            return store;
        });
        await store.CreateDatabaseAsync(name, CancellationToken.None);
        return store.GetDatabase(name);
    }

    // "SEARCH t USING INDEX ix_…" or "SCAN t USING INDEX ix_…" (an ordered walk of the index that stops at the page); never a bare "SCAN t".
    protected override void AssertIndexed(string plan, string table)
    {
        var lines = plan.Split('\n').Where(l => l.Contains(table, StringComparison.Ordinal)).ToList();
        Assert.True(lines.Count > 0, plan);
        Assert.All(lines, l => Assert.True(l.Contains("USING INDEX ix_" + table, StringComparison.Ordinal) || l.Contains("USING COVERING INDEX ix_" + table, StringComparison.Ordinal), plan));
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresReadQueryPlanTests(OrleansSocial.Testing.PostgresServer server, ReadQueryPlanData data) : ReadQueryPlanContract(data), IClassFixture<ReadQueryPlanData>
{
    protected override async Task<IDocumentDatabase> DatabaseAsync(string name, ReadQueryPlanData data)
    {
        var store = await data.OnceAsync("store", async () =>
        {
            var store = new PostgresDocumentStore(new PostgresStoreOptions { ConnectionString = server.ConnectionStringFor("catalog_plan_" + Guid.NewGuid().ToString("N")[..10]) });
            data.OnDispose(async () => await store.DisposeAsync());
            await store.InitializeAsync(CancellationToken.None);
            return store;
        });
        await store.CreateDatabaseAsync(name, CancellationToken.None);
        return store.GetDatabase(name);
    }

    protected override async Task AnalyzeAsync(string name)
    {
        await using var connection = new NpgsqlConnection(server.ConnectionStringFor(StorageNames.Database(name)));
        await connection.OpenAsync();
        await using var analyze = new NpgsqlCommand("ANALYZE", connection);
        await analyze.ExecuteNonQueryAsync();
    }

    // The planner may prefer the primary key's order when nearly every row matches (the ready tenants): still an index walk that stops at the page.
    protected override void AssertIndexed(string plan, string table)
    {
        Assert.DoesNotContain("Seq Scan", plan, StringComparison.Ordinal);
        Assert.True(plan.Contains("ix_" + table, StringComparison.Ordinal) || plan.Contains($"Index Scan using {table}_pkey", StringComparison.Ordinal), plan);
    }
}
