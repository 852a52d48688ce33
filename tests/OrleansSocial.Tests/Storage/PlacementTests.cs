using System.Text.Json;
using Npgsql;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Placement;
using OrleansSocial.Storage.Postgres;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Storage;

/// <summary>The store contract, run over two servers: every operation goes through placement.</summary>
[Collection(TwoPostgresCollection.Name)]
public sealed class PlacedStoreContract(TwoPostgresServers servers) : DocumentStoreContract, IAsyncLifetime
{
    private PlacedDocumentStore? _store;

    protected override async Task<IDocumentStore> StoreAsync()
    {
        if (_store is null)
        {
            _store = PlacementTests.Store(servers, "contract_" + Guid.NewGuid().ToString("N")[..12], 1, 1);
            await _store.InitializeAsync(CancellationToken.None);
        }

        return _store;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }
}

/// <summary>
/// Database per tenant across two PostgreSQL servers: placement by weight, moves that copy,
/// verify and switch, writes refused (not lost) while a move runs, and a move stopped dead at
/// every step leaving exactly one authoritative, complete, writable copy once settled.
/// </summary>
[Collection(TwoPostgresCollection.Name)]
public sealed class PlacementTests(TwoPostgresServers servers) : IAsyncLifetime
{
    private readonly List<PlacedDocumentStore> _stores = [];
    private readonly string _catalog = "placement_" + Guid.NewGuid().ToString("N")[..12];

    public static PlacedDocumentStore Store(TwoPostgresServers servers, string catalog, int firstWeight, int secondWeight) => new(
    [
        new DatabaseServer("a", firstWeight, new PostgresDocumentStore(new PostgresStoreOptions { ConnectionString = servers.First.ConnectionStringFor(catalog) })),
        new DatabaseServer("b", secondWeight, new PostgresDocumentStore(new PostgresStoreOptions { ConnectionString = servers.Second.ConnectionStringFor(catalog) })),
    ]);

    /// <summary>A store as one process sees it; several of them are several silos.</summary>
    private async Task<PlacedDocumentStore> ProcessAsync(int firstWeight = 1, int secondWeight = 1)
    {
        var store = Store(servers, _catalog, firstWeight, secondWeight);
        _stores.Add(store);
        await store.InitializeAsync(CancellationToken.None);
        return store;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }
    }

    private static string NewDatabase() => "tenant_pl_" + Guid.NewGuid().ToString("N")[..10];

    private static JsonElement Doc(object value) => JsonSerializer.SerializeToElement(value);

    private static readonly string[] Seeded = ["members", "audit", "posts"];

    private static async Task SeedAsync(IDocumentStore store, string database, int perCollection = 25)
    {
        await store.GetDatabase(database).GetCollection("posts")
            .EnsureIndexAsync(new IndexDefinition("channel_created", [new IndexField("channelId", FieldKind.String), new IndexField("createdAt", FieldKind.String, Descending: true)]), CancellationToken.None);
        foreach (var collection in Seeded)
        {
            for (var i = 0; i < perCollection; i++)
            {
                await store.GetDatabase(database).GetCollection(collection).UpsertAsync($"{collection}-{i:D3}",
                    Doc(new { channelId = "c" + (i % 3), createdAt = $"2026-01-{i % 28 + 1:D2}", text = $"ünïcode {i} \"quoted\"", n = i * 1.5 }), CancellationToken.None);
            }
        }
    }

    private static async Task<List<string>> ReadAllAsync(IDocumentStore store, string database, string collection)
    {
        var all = new List<string>();
        await foreach (var document in store.GetDatabase(database).GetCollection(collection).ReadAllAsync())
        {
            all.Add(document.Id + "=" + document.Body.GetRawText());
        }

        return all;
    }

    private static async Task<bool> ExistsOnAsync(PlacedDocumentStore store, string server, string database) =>
        await store.Server(server).Store.DatabaseExistsAsync(database, CancellationToken.None);

    [Fact]
    public async Task New_databases_go_to_the_server_with_the_most_room_for_its_weight()
    {
        var store = await ProcessAsync(firstWeight: 1, secondWeight: 3);
        var databases = Enumerable.Range(0, 8).Select(_ => NewDatabase()).ToList();
        foreach (var database in databases)
        {
            await store.CreateDatabaseAsync(database, CancellationToken.None);
        }

        var counts = await store.CountsAsync(CancellationToken.None);
        Assert.Equal(2, counts["a"]);
        Assert.Equal(6, counts["b"]);
        foreach (var database in databases)
        {
            // The catalog says where, and it is really there and only there.
            var server = (await store.LocateAsync(database, CancellationToken.None)).Server;
            Assert.True(await ExistsOnAsync(store, server, database));
            Assert.False(await ExistsOnAsync(store, server == "a" ? "b" : "a", database));
        }
    }

    [Fact]
    public async Task A_server_of_weight_zero_takes_no_new_databases()
    {
        var store = await ProcessAsync(firstWeight: 0, secondWeight: 1);
        for (var i = 0; i < 3; i++)
        {
            var database = NewDatabase();
            await store.CreateDatabaseAsync(database, CancellationToken.None);
            Assert.Equal("b", (await store.LocateAsync(database, CancellationToken.None)).Server);
        }
    }

    [Fact]
    public async Task A_move_copies_everything_verifies_it_switches_and_drops_the_old_copy()
    {
        var store = await ProcessAsync(secondWeight: 0);
        var database = NewDatabase();
        await store.CreateDatabaseAsync(database, CancellationToken.None);
        await SeedAsync(store, database);
        var before = await Task.WhenAll(Seeded.Select(c => ReadAllAsync(store, database, c)));

        var steps = new List<MoveStep>();
        var outcome = await new DatabaseMove(store, ["members", "audit", "posts", "webhooks"], TimeProvider.System)
            .RunAsync(database, "b", step => { steps.Add(step); return Task.CompletedTask; }, CancellationToken.None);

        Assert.Equal(Enum.GetValues<MoveStep>(), steps);
        Assert.Equal(("a", "b", 75L), (outcome.From.Server, outcome.To.Server, outcome.Documents));
        var placement = await store.LocateAsync(database, CancellationToken.None);
        Assert.Equal("b", placement.Server);
        Assert.False(placement.Moving);
        Assert.False(await ExistsOnAsync(store, "a", database));
        Assert.True(await ExistsOnAsync(store, "b", database));
        Assert.Equal(before, await Task.WhenAll(Seeded.Select(c => ReadAllAsync(store, database, c))));

        // The copy is writable and keeps its indexes (queries through them answer the same).
        await store.GetDatabase(database).GetCollection("posts").UpsertAsync("after", Doc(new { channelId = "c1", createdAt = "2026-02-01" }), CancellationToken.None);
        Assert.Equal(26, await store.GetDatabase(database).GetCollection("posts").CountAsync([], CancellationToken.None));
        var page = await store.GetDatabase(database).GetCollection("posts").QueryAsync(new DocumentQuery
        {
            Filters = [FieldFilter.Eq("channelId", "c1")], Sort = new SortField("createdAt", FieldKind.String, Descending: true), Limit = 3,
        }, CancellationToken.None);
        Assert.Equal("after", page.Items[0].Id);
        await using var connection = new NpgsqlConnection(servers.Second.ConnectionStringFor(database));
        await connection.OpenAsync();
        await using var indexes = new NpgsqlCommand("SELECT count(*) FROM pg_indexes WHERE tablename = 'doc_posts' AND indexname LIKE 'ix_%'", connection);
        Assert.Equal(1L, await indexes.ExecuteScalarAsync());
    }

    [Fact]
    public async Task While_a_move_runs_every_process_reads_and_no_write_is_taken_then_writes_follow_the_switch()
    {
        var mover = await ProcessAsync(secondWeight: 0);
        var otherSilo = await ProcessAsync(secondWeight: 0);
        var database = NewDatabase();
        await mover.CreateDatabaseAsync(database, CancellationToken.None);
        await SeedAsync(mover, database, perCollection: 5);
        // The other process has the database's placement cached, as a busy silo would.
        Assert.Equal(5, await otherSilo.GetDatabase(database).GetCollection("members").CountAsync([], CancellationToken.None));

        var copied = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var move = new DatabaseMove(mover, ["members", "audit", "posts", "settings"], TimeProvider.System).RunAsync(database, "b", async step =>
        {
            if (step == MoveStep.Copied)
            {
                copied.SetResult();
                await release.Task;
            }
        }, CancellationToken.None);
        await copied.Task.WaitAsync(TimeSpan.FromSeconds(30));

        foreach (var process in new[] { mover, otherSilo })
        {
            var members = process.GetDatabase(database).GetCollection("members");
            Assert.Equal(5, await members.CountAsync([], CancellationToken.None));
            Assert.NotNull(await members.GetAsync("members-001", CancellationToken.None));
            var refused = await Assert.ThrowsAsync<TenantMovingException>(() => members.UpsertAsync("new", Doc(new { x = 1 }), CancellationToken.None));
            Assert.True(refused.RetryAfter > TimeSpan.Zero);
            await Assert.ThrowsAsync<TenantMovingException>(() => members.DeleteAsync("members-001", CancellationToken.None));
            await Assert.ThrowsAsync<TenantMovingException>(() => members.InsertAsync("new2", Doc(new { x = 1 }), CancellationToken.None));
            // A collection first written during the move is frozen too (created before the freeze).
            await Assert.ThrowsAsync<TenantMovingException>(() => process.GetDatabase(database).GetCollection("settings").UpsertAsync("s", Doc(new { x = 1 }), CancellationToken.None));
        }

        release.SetResult();
        await move.WaitAsync(TimeSpan.FromSeconds(30));

        // The other process still believes "a": its write finds the old copy gone, looks again and lands on "b".
        await otherSilo.GetDatabase(database).GetCollection("members").UpsertAsync("after-move", Doc(new { x = 2 }), CancellationToken.None);
        Assert.NotNull(await mover.GetDatabase(database).GetCollection("members").GetAsync("after-move", CancellationToken.None));
        Assert.Null(await mover.GetDatabase(database).GetCollection("members").GetAsync("new", CancellationToken.None));
        Assert.Equal(6, await otherSilo.GetDatabase(database).GetCollection("members").CountAsync([], CancellationToken.None));
    }

    public static TheoryData<MoveStep> Steps() => new(Enum.GetValues<MoveStep>());

    /// <summary>
    /// The mover stops dead after a step (its task never resumes, nothing of it runs again, as when
    /// its process is SIGKILLed); a new process settles what it finds. Before the switch the
    /// original stays authoritative and becomes writable; from the switch on the copy is, and the
    /// original is dropped. Either way one copy, complete.
    /// </summary>
    [Theory]
    [MemberData(nameof(Steps))]
    public async Task A_move_that_dies_after_any_step_leaves_one_authoritative_copy(MoveStep diesAfter)
    {
        var dead = await ProcessAsync(secondWeight: 0);
        var database = NewDatabase();
        await dead.CreateDatabaseAsync(database, CancellationToken.None);
        await SeedAsync(dead, database, perCollection: 10);
        var before = await Task.WhenAll(Seeded.Select(c => ReadAllAsync(dead, database, c)));
        var reached = new TaskCompletionSource();
        _ = new DatabaseMove(dead, ["members", "audit", "posts"], TimeProvider.System).RunAsync(database, "b", step =>
        {
            if (step != diesAfter)
            {
                return Task.CompletedTask;
            }

            reached.SetResult();
            return new TaskCompletionSource().Task;
        }, CancellationToken.None);
        await reached.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var next = await ProcessAsync(secondWeight: 0);
        var found = await next.LocateAsync(database, CancellationToken.None);
        var switched = diesAfter >= MoveStep.Switched;
        Assert.Equal(switched ? "b" : "a", found.Server);
        Assert.Equal(diesAfter != MoveStep.OldCopyDropped, found.Moving);
        // What the catalog names is complete even before anything is settled.
        Assert.Equal(before, await Task.WhenAll(Seeded.Select(c => ReadAllAsync(next, database, c))));

        var unfinished = new List<PlacementRecord>();
        await foreach (var placement in next.UnfinishedMovesAsync(CancellationToken.None))
        {
            unfinished.Add(placement);
        }

        Assert.Equal(found.Moving ? 1 : 0, unfinished.Count(p => p.Database == database));
        var settled = await new DatabaseMove(next, ["members", "audit", "posts"], TimeProvider.System).RecoverAsync(found, CancellationToken.None);

        Assert.Equal(switched ? "b" : "a", settled.Server);
        Assert.False((await next.LocateAsync(database, CancellationToken.None)).Moving);
        Assert.Equal(switched, await ExistsOnAsync(next, "b", database));
        Assert.Equal(!switched, await ExistsOnAsync(next, "a", database));
        Assert.Equal(before, await Task.WhenAll(Seeded.Select(c => ReadAllAsync(next, database, c))));
        await next.GetDatabase(database).GetCollection("members").UpsertAsync("writable", Doc(new { x = 1 }), CancellationToken.None);
        Assert.Equal(11, await next.GetDatabase(database).GetCollection("members").CountAsync([], CancellationToken.None));

        // And it can move again, all the way.
        var again = await new DatabaseMove(next, ["members", "audit", "posts"], TimeProvider.System).RunAsync(database, switched ? "a" : "b", null, CancellationToken.None);
        Assert.Equal(31, again.Documents);
    }

    [Fact]
    public async Task A_move_to_an_unknown_server_or_to_where_it_is_changes_nothing()
    {
        var store = await ProcessAsync(secondWeight: 0);
        var database = NewDatabase();
        await store.CreateDatabaseAsync(database, CancellationToken.None);
        var move = new DatabaseMove(store, ["members"], TimeProvider.System);
        await Assert.ThrowsAsync<MoveRefusedException>(() => move.RunAsync(database, "nowhere", null, CancellationToken.None));
        await Assert.ThrowsAsync<MoveRefusedException>(() => move.RunAsync(database, "a", null, CancellationToken.None));
        Assert.False((await store.LocateAsync(database, CancellationToken.None)).Moving);
        await store.GetDatabase(database).GetCollection("members").UpsertAsync("still-writable", Doc(new { x = 1 }), CancellationToken.None);
    }

    [Fact]
    public async Task Dropping_a_database_mid_move_removes_both_copies_and_its_placement()
    {
        var dead = await ProcessAsync(secondWeight: 0);
        var database = NewDatabase();
        await dead.CreateDatabaseAsync(database, CancellationToken.None);
        await SeedAsync(dead, database, perCollection: 3);
        var reached = new TaskCompletionSource();
        _ = new DatabaseMove(dead, ["members"], TimeProvider.System).RunAsync(database, "b", step =>
        {
            if (step != MoveStep.Copied)
            {
                return Task.CompletedTask;
            }

            reached.SetResult();
            return new TaskCompletionSource().Task;
        }, CancellationToken.None);
        await reached.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var next = await ProcessAsync(secondWeight: 0);
        await next.DropDatabaseAsync(database, CancellationToken.None);
        Assert.False(await ExistsOnAsync(next, "a", database));
        Assert.False(await ExistsOnAsync(next, "b", database));
        Assert.Null(await next.Catalog.GetCollection("placements").GetAsync(database, CancellationToken.None));
    }
}
