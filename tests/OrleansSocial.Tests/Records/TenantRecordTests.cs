using System.Text.Json;
using OrleansSocial.Grains.Records;
using OrleansSocial.ReadModels;
using OrleansSocial.Storage.Sqlite;
using OrleansSocial.Tests.Infrastructure;
using OrleansSocial.Webhooks;

namespace OrleansSocial.Tests.Records;

/// <summary>
/// The one writer of a grain's document (on a real SQLite file): concurrent changes never lose one
/// another, a damaged record loads as missing, announced events are written with the change and leave
/// the document with the first write after they were handed over.
/// </summary>
public sealed class TenantRecordTests : IDisposable
{
    private readonly TempFolder _folder = new("orleans-social-tenant-record");

    public sealed record Counter(int Count, IReadOnlyList<WebhookEvent>? Outbox = null) : IAnnouncingRecord<Counter>
    {
        public Counter WithOutbox(IReadOnlyList<WebhookEvent>? outbox) => this with { Outbox = outbox };
    }

    private async Task<OrleansSocial.Storage.Documents.IDocumentDatabase> DatabaseAsync(Action<PausingStore>? faults = null)
    {
        OrleansSocial.Storage.Documents.IDocumentStore store = new SqliteDocumentStore(_folder.Path);
        if (faults is not null)
        {
            var pausing = new PausingStore(store, "counters");
            faults(pausing);
            store = pausing;
        }

        await store.InitializeAsync(CancellationToken.None);
        var name = "records_" + Guid.NewGuid().ToString("N")[..8];
        await store.CreateDatabaseAsync(name, CancellationToken.None);
        return store.GetDatabase(name);
    }

    private static Counter? Read(JsonElement stored) => DocumentJson.TryRead<Counter>(stored) is { Count: >= 0 } counter ? counter : null;

    [Fact]
    public async Task Concurrent_changes_are_applied_one_after_another_and_none_is_lost()
    {
        var database = await DatabaseAsync();
        var record = new TenantRecord<Counter>(database.GetCollection("counters"), "c1", Read);
        await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => Task.Run(() => record.UpdateAsync(c => new Counter((c?.Count ?? 0) + 1)))));
        Assert.Equal(40, record.Current!.Count);
        var reloaded = new TenantRecord<Counter>(database.GetCollection("counters"), "c1", Read);
        Assert.True(await reloaded.LoadAsync(CancellationToken.None));
        Assert.Equal(40, reloaded.Current!.Count);
    }

    [Fact]
    public async Task A_damaged_record_loads_as_missing_and_the_next_change_writes_it_whole()
    {
        var database = await DatabaseAsync();
        var counters = database.GetCollection("counters");
        await counters.UpsertAsync("c1", JsonSerializer.SerializeToElement(new { count = "many", outbox = 7 }), CancellationToken.None);
        var record = new TenantRecord<Counter>(counters, "c1", Read);
        Assert.True(await record.LoadAsync(CancellationToken.None));
        Assert.Null(record.Current);
        await record.UpdateAsync(c => new Counter(1));
        Assert.Equal(1, Read((await counters.GetAsync("c1", CancellationToken.None))!.Value)!.Count);
        Assert.False(await new TenantRecord<Counter>(counters, "missing", Read).LoadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Announced_events_are_stored_with_their_change_and_leave_with_the_first_write_after_their_hand_over()
    {
        var database = await DatabaseAsync();
        var counters = database.GetCollection("counters");
        var record = new TenantRecord<Counter>(counters, "c1", Read);
        var @event = WebhookEvent.Create(WebhookEventTypes.CommentReceived, "t1", DateTimeOffset.UtcNow, new { n = 1 });
        await record.UpdateAsync(c => new Counter(1, [@event]));
        Assert.Single(Read((await counters.GetAsync("c1", CancellationToken.None))!.Value)!.Outbox!);

        // No endpoint in this database: the hand-over writes no delivery and calls no grain.
        Assert.Equal(1, await record.RelayAsync(null!, database, DateTimeOffset.UtcNow));
        Assert.Equal(0, await record.RelayAsync(null!, database, DateTimeOffset.UtcNow));
        Assert.Single(Read((await counters.GetAsync("c1", CancellationToken.None))!.Value)!.Outbox!);

        await record.UpdateAsync(c => c! with { Count = 2 });
        var stored = Read((await counters.GetAsync("c1", CancellationToken.None))!.Value)!;
        Assert.Equal(2, stored.Count);
        Assert.Empty(stored.Outbox ?? []);
    }

    [Fact]
    public async Task A_write_the_store_refuses_assigns_nothing_and_the_record_stays_as_stored()
    {
        PausingStore faults = null!;
        var database = await DatabaseAsync(f => faults = f);
        var record = new TenantRecord<Counter>(database.GetCollection("counters"), "c1", Read);
        await record.UpdateAsync(c => new Counter(1));

        faults.FailUpserts(new IOException("disk full"));
        await Assert.ThrowsAsync<IOException>(() => record.UpdateAsync(c => c! with { Count = 2 }));
        Assert.Equal(1, record.Current!.Count);

        faults.FailUpserts(null);
        await record.UpdateAsync(c => c! with { Count = c.Count + 10 });
        Assert.Equal(11, Read((await database.GetCollection("counters").GetAsync("c1", CancellationToken.None))!.Value)!.Count);
    }

    [Fact]
    public async Task An_insert_writes_only_where_nothing_is_stored_and_a_record_that_announces_nothing_is_written_as_itself()
    {
        var database = await DatabaseAsync();
        var first = new TenantRecord<Plain>(database.GetCollection("plain"), "p1", stored => DocumentJson.TryRead<Plain>(stored));
        var second = new TenantRecord<Plain>(database.GetCollection("plain"), "p1", stored => DocumentJson.TryRead<Plain>(stored));
        Assert.True(await first.InsertAsync(new Plain("first")));
        Assert.False(await second.InsertAsync(new Plain("second")));
        Assert.Null(second.Current);
        Assert.Equal(0, second.Pending);

        Assert.True(await second.LoadAsync(CancellationToken.None));
        Assert.Equal("first", second.Current!.Name);
        var stored = (await database.GetCollection("plain").GetAsync("p1", CancellationToken.None))!.Value;
        Assert.False(stored.TryGetProperty("outbox", out _));
    }

    public sealed record Plain(string Name);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }
}
