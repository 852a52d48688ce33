using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;
using OrleansSocial.Persistence.Sqlite.Providers;
using OrleansSocial.Persistence.Sqlite.Reminders;
using OrleansSocial.Persistence.Sqlite.Storage;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Persistence;

/// <summary>The reminder table contract against a real SQLite file.</summary>
public sealed class SqliteReminderTableTests : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _folder = new();
    private SqliteReminderTable _table = null!;

    public async Task InitializeAsync()
    {
        _table = CreateTable("service-a");
        await _table.StartAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    private SqliteReminderTable CreateTable(string serviceId) => new(
        new SqliteDatabase(new SqliteOrleansOptions { DatabasePath = Path.Combine(_folder.Path, "orleans.db") }),
        Options.Create(new ClusterOptions { ServiceId = serviceId, ClusterId = "c" }));

    private static ReminderEntry Entry(GrainId grain, string name = "daily", int periodMinutes = 60) => new()
    {
        GrainId = grain,
        ReminderName = name,
        StartAt = new DateTime(2026, 3, 1, 4, 30, 0, DateTimeKind.Utc),
        Period = TimeSpan.FromMinutes(periodMinutes),
    };

    private static GrainId NewGrain() => GrainId.Create("channel", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Upserted_reminder_reads_back_exactly()
    {
        var grain = NewGrain();
        var etag = await _table.UpsertRow(Entry(grain));

        var row = await _table.ReadRow(grain, "daily");

        Assert.NotNull(row);
        Assert.Equal(grain, row.GrainId);
        Assert.Equal(new DateTime(2026, 3, 1, 4, 30, 0, DateTimeKind.Utc), row.StartAt);
        Assert.Equal(DateTimeKind.Utc, row.StartAt.Kind);
        Assert.Equal(TimeSpan.FromMinutes(60), row.Period);
        Assert.Equal(etag, row.ETag);
    }

    [Fact]
    public async Task Missing_reminder_reads_as_null()
    {
        Assert.Null(await _table.ReadRow(NewGrain(), "nothing"));
    }

    [Fact]
    public async Task Upsert_of_an_existing_reminder_replaces_it_with_a_new_etag()
    {
        var grain = NewGrain();
        var first = await _table.UpsertRow(Entry(grain));
        var second = await _table.UpsertRow(Entry(grain, periodMinutes: 1440));

        Assert.NotEqual(first, second);
        var rows = await _table.ReadRows(grain);
        var row = Assert.Single(rows.Reminders);
        Assert.Equal(TimeSpan.FromDays(1), row.Period);
    }

    [Fact]
    public async Task Remove_needs_the_current_etag()
    {
        var grain = NewGrain();
        var first = await _table.UpsertRow(Entry(grain));
        var current = await _table.UpsertRow(Entry(grain));

        Assert.False(await _table.RemoveRow(grain, "daily", first!));
        Assert.True(await _table.RemoveRow(grain, "daily", current!));
        Assert.Null(await _table.ReadRow(grain, "daily"));
    }

    [Fact]
    public async Task Rows_of_a_grain_are_all_its_reminders_and_only_its()
    {
        var grain = NewGrain();
        await _table.UpsertRow(Entry(grain, "daily"));
        await _table.UpsertRow(Entry(grain, "weekly"));
        await _table.UpsertRow(Entry(NewGrain(), "daily"));

        var rows = await _table.ReadRows(grain);

        Assert.Equal(["daily", "weekly"], rows.Reminders.Select(r => r.ReminderName).Order());
    }

    [Fact]
    public async Task Ring_ranges_select_by_grain_hash_including_the_wrapping_range()
    {
        var grains = Enumerable.Range(0, 40).Select(_ => NewGrain()).ToList();
        foreach (var grain in grains)
        {
            await _table.UpsertRow(Entry(grain));
        }

        var hashes = grains.Select(g => g.GetUniformHashCode()).Order().ToList();
        var begin = hashes[10];
        var end = hashes[30];

        var inside = await _table.ReadRows(begin, end);
        var wrapped = await _table.ReadRows(end, begin);

        // (begin, end] holds hashes 11..30; the wrapping (end, begin] holds the other 20.
        Assert.Equal(20, inside.Reminders.Count);
        Assert.All(inside.Reminders, r => Assert.InRange(r.GrainId.GetUniformHashCode(), begin + 1, end));
        Assert.Equal(20, wrapped.Reminders.Count);
        Assert.Empty(inside.Reminders.Select(r => r.GrainId).Intersect(wrapped.Reminders.Select(r => r.GrainId)));
    }

    [Fact]
    public async Task Services_sharing_a_file_do_not_see_each_others_reminders()
    {
        var grain = NewGrain();
        await _table.UpsertRow(Entry(grain));
        var other = CreateTable("service-b");
        await other.StartAsync();

        Assert.Null(await other.ReadRow(grain, "daily"));
        await other.TestOnlyClearTable();
        Assert.NotNull(await _table.ReadRow(grain, "daily"));
    }
}
