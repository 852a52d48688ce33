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

    private async Task<OrleansSocial.Storage.Documents.IDocumentDatabase> DatabaseAsync()
    {
        var store = new SqliteDocumentStore(_folder.Path);
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

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }
}
