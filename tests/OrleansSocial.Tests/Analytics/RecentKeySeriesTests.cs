using OrleansSocial.Grains.Analytics;
using OrleansSocial.ReadModels;
using OrleansSocial.ReadModels.Analytics;
using OrleansSocial.ReadModels.Sync;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Sqlite;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Analytics;

/// <summary>
/// The key series a run judges are carried from run to run in the channel's insights record: the next run
/// reads back only the days a sync may have rewritten since, and a backfill (or a record that no longer
/// reads) makes it read the whole window again. On a real SQLite file.
/// </summary>
public sealed class RecentKeySeriesTests : IAsyncLifetime
{
    private const string Channel = "fb-100";
    private static readonly DateTimeOffset Now = new(2026, 6, 10, 12, 0, 0, TimeSpan.Zero);
    private readonly TempFolder _folder = new("orleans-social-recent-series");
    private readonly IReadOnlyList<string> _metrics = [.. AnomalyWatch.KeySeries("facebook").Select(s => s.Metric)];
    private IDocumentDatabase _database = null!;

    public async Task InitializeAsync()
    {
        var store = new SqliteDocumentStore(_folder.Path);
        await store.InitializeAsync(CancellationToken.None);
        await store.CreateDatabaseAsync("recent", CancellationToken.None);
        _database = store.GetDatabase("recent");
        foreach (var metric in _metrics)
        {
            for (var d = 1; d <= 40; d++)
            {
                await WriteAsync(metric, Day(-d), 1000 + d);
            }

            // Another period of the same metric and another channel: never part of the series.
            await WriteAsync(metric, Day(-2), 5, period: "week");
            await WriteAsync(metric, Day(-2), 6, channel: "fb-200");
        }
    }

    [Fact]
    public async Task A_run_reads_back_only_what_a_sync_may_have_rewritten_and_a_backfill_or_a_damaged_record_reads_the_whole_window()
    {
        var first = await RecentKeySeries.ReadAsync(_database, Channel, _metrics, Now, stored: null, historyRewritten: false, CancellationToken.None);
        foreach (var metric in _metrics)
        {
            // Days whose end falls in the 32 days before now (the oldest written day is just outside), oldest first, this channel's daily values only.
            Assert.Equal(Enumerable.Range(1, 31).Reverse().Select(d => (Day(-d), 1000.0 + d)), first.Of(metric));
        }

        // Stored compactly and read back the same.
        var stored = DocumentJson.TryRead<ChannelInsightsRecord>(DocumentJson.ToJson(new ChannelInsightsRecord(Channel, null, first.ToRecord(), Now)))!.Recent!;
        Assert.Equal(first.ToRecord().Series[_metrics[0]], stored.Series[_metrics[0]]);

        // A day later: the next run's sync revised yesterday's value and wrote a new day; and — what no sync does
        // outside a backfill — a value three weeks back changed.
        var later = Now + TimeSpan.FromDays(1);
        var metric0 = _metrics[0];
        await WriteAsync(metric0, Day(-1), 7);
        await WriteAsync(metric0, Day(0), 8);
        await WriteAsync(metric0, Day(-20), 9);

        var next = await RecentKeySeries.ReadAsync(_database, Channel, _metrics, later, stored, historyRewritten: false, CancellationToken.None);
        var whole = await RecentKeySeries.ReadAsync(_database, Channel, _metrics, later, stored: null, historyRewritten: false, CancellationToken.None);
        Assert.Contains((Day(-1), 7.0), next.Of(metric0));
        Assert.Contains((Day(0), 8.0), next.Of(metric0));
        // The old day came from the record, not from a read: only the recent days were read again.
        Assert.Contains((Day(-20), 1020.0), next.Of(metric0));
        Assert.Contains((Day(-20), 9.0), whole.Of(metric0));
        Assert.Equal(whole.Of(metric0).Where(v => v.Day != Day(-20)), next.Of(metric0).Where(v => v.Day != Day(-20)));
        Assert.Equal(whole.Of(_metrics[1]), next.Of(_metrics[1]));
        Assert.Equal(31, next.Of(metric0).Count);

        // A run that backfilled reads everything again.
        var rebuilt = await RecentKeySeries.ReadAsync(_database, Channel, _metrics, later, stored, historyRewritten: true, CancellationToken.None);
        Assert.Equal(whole.Of(metric0), rebuilt.Of(metric0));

        // A record with a metric missing, a null list or a null day reads the whole window; so does one from the future.
        RecentSeriesRecord[] unusable =
        [
            stored with { Series = stored.Series.Where(s => s.Key != metric0).ToDictionary() },
            stored with { Series = stored.Series.ToDictionary(s => s.Key, s => s.Key == metric0 ? null! : s.Value) },
            stored with { Series = stored.Series.ToDictionary(s => s.Key, s => s.Key == metric0 ? (IReadOnlyList<DayValue>)[null!] : s.Value) },
            stored with { ReadAt = later + TimeSpan.FromHours(1) },
            stored with { ReadAt = later - TimeSpan.FromDays(40) },
        ];
        foreach (var record in unusable)
        {
            var read = await RecentKeySeries.ReadAsync(_database, Channel, _metrics, later, record, historyRewritten: false, CancellationToken.None);
            Assert.Equal(whole.Of(metric0), read.Of(metric0));
        }
    }

    [Fact]
    public void A_damaged_insights_record_reads_as_none()
    {
        foreach (var json in new[] { """{"channelId":"c","recent":{"readAt":"2026-01-01T00:00:00Z","series":{"m":[["x",1]]}}}""",
                     """{"channelId":"c","recent":{"readAt":"2026-01-01T00:00:00Z","series":{"m":[[1,2,3]]}}}""",
                     """{"channelId":"c","bestTimes":{"timeZone":"UTC","slots":[[1,"a",3]]}}""" })
        {
            using var document = System.Text.Json.JsonDocument.Parse(json);
            Assert.Null(DocumentJson.TryRead<ChannelInsightsRecord>(document.RootElement));
        }
    }

    private static DateTimeOffset Day(int offset) => new DateTimeOffset(Now.Date, TimeSpan.Zero) + TimeSpan.FromDays(offset) + TimeSpan.FromHours(8);

    private Task WriteAsync(string metric, DateTimeOffset end, double value, string period = "day", string channel = Channel) =>
        _database.GetCollection(Collections.Insights).UpsertAsync(InsightRecord.IdOf(channel, metric, period, end),
            DocumentJson.ToJson(new InsightRecord(channel, metric, period, end, value, null)), CancellationToken.None);

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Dispose();
        return Task.CompletedTask;
    }
}
