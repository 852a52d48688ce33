using System.Text.Json;
using OrleansSocial.Storage.Sqlite;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Storage;

/// <summary>
/// A SQLite file keeps at most two pooled connections; more concurrent users open their own and
/// close them. Nothing waits for a pooled place, so no amount of concurrency stalls or loses a write.
/// </summary>
public sealed class SqliteConnectionTests : IDisposable
{
    private readonly TempFolder _folder = new("orleans-social-sqlite-connections");

    [Fact]
    public async Task Many_concurrent_users_of_one_file_all_finish_and_every_write_lands()
    {
        var store = new SqliteDocumentStore(_folder.Path);
        await store.InitializeAsync(CancellationToken.None);
        await store.CreateDatabaseAsync("busy", CancellationToken.None);
        var items = store.GetDatabase("busy").GetCollection("items");
        using var document = JsonDocument.Parse("""{"n":1}""");

        var writers = Enumerable.Range(0, 24).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                await items.UpsertAsync($"w{w}-{i}", document.RootElement, CancellationToken.None);
                Assert.NotNull(await items.GetAsync($"w{w}-{i}", CancellationToken.None));
            }
        }));
        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(24 * 20, await items.CountAsync([], CancellationToken.None));

        // The pool gives its connections back: the file can be dropped and made again.
        await store.DropDatabaseAsync("busy", CancellationToken.None);
        Assert.False(File.Exists(store.PathOf("busy")));
        await store.CreateDatabaseAsync("busy", CancellationToken.None);
        Assert.Equal(0, await store.GetDatabase("busy").GetCollection("items").CountAsync([], CancellationToken.None));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }
}
