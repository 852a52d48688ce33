using System.Text.Json;
using OrleansSocial.Storage.Placement;
using OrleansSocial.Storage.Sqlite;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Storage;

/// <summary>
/// The per-process memory of where databases live stays within its bound however many databases a
/// process touches, and a database whose placement was dropped from it is still found (read again).
/// </summary>
public sealed class PlacementCacheTests
{
    [Fact]
    public async Task The_placement_cache_stays_bounded_and_every_database_is_still_found()
    {
        using var folder = new TempFolder("orleans-social-placement-cache");
        await using var store = new PlacedDocumentStore([new DatabaseServer("main", 1, new SqliteDocumentStore(folder.Path))], placementCacheCapacity: 10);
        await store.InitializeAsync(CancellationToken.None);

        var names = Enumerable.Range(0, 30).Select(i => $"cache_{i:D2}").ToList();
        foreach (var name in names)
        {
            await store.CreateDatabaseAsync(name, CancellationToken.None);
            await store.GetDatabase(name).GetCollection("things").UpsertAsync("one", JsonSerializer.SerializeToElement(new { name }), CancellationToken.None);
            Assert.InRange(store.Directory.Cached, 1, 10);
        }

        foreach (var name in names)
        {
            var stored = await store.GetDatabase(name).GetCollection("things").GetAsync("one", CancellationToken.None);
            Assert.Equal(name, stored!.Value.GetProperty("name").GetString());
            Assert.InRange(store.Directory.Cached, 1, 10);
        }
    }
}
