using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime;
using Orleans.Storage;
using OrleansSocial.Persistence.Sqlite.Providers;
using OrleansSocial.Persistence.Sqlite.Storage;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Persistence;

/// <summary>The grain storage checklist against our SQLite provider on a real file, plus what only it promises.</summary>
public sealed class SqliteGrainStorageTests : GrainStorageContract, IAsyncLifetime, IDisposable
{
    private readonly TempFolder _folder = new();
    private SqliteGrainStorage _storage = null!;

    public async Task InitializeAsync()
    {
        _storage = CreateStorage("state", "service-a");
        await new SqliteDatabase(Options()).EnsureSchemaAsync(SqliteGrainStorage.Schema, CancellationToken.None);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    private SqliteOrleansOptions Options() => new() { DatabasePath = Path.Combine(_folder.Path, "orleans.db") };

    private SqliteGrainStorage CreateStorage(string provider, string serviceId) =>
        new(provider, serviceId, new SqliteDatabase(Options()), new SystemTextJsonSerializer(), NullLogger<SqliteGrainStorage>.Instance);

    protected override IGrainStorage Storage => _storage;

    protected override IGrainStorage Twin() => CreateStorage("state", "service-a");

    [Fact]
    public async Task Providers_and_services_are_independent()
    {
        var grain = NewGrain();
        await Storage.WriteStateAsync("counter", grain, new GrainState<Counter>(new Counter { Value = 1 }));

        var otherProvider = Empty();
        await CreateStorage("archive", "service-a").ReadStateAsync("counter", grain, otherProvider);
        var otherService = Empty();
        await CreateStorage("state", "service-b").ReadStateAsync("counter", grain, otherService);

        Assert.All([otherProvider, otherService], state => Assert.False(state.RecordExists));
    }

    [Fact]
    public async Task Clear_without_an_etag_is_refused_when_state_exists()
    {
        // (Orleans' ADO.NET provider instead reads the current etag first and clears.)
        var grain = NewGrain();
        await Storage.WriteStateAsync("counter", grain, new GrainState<Counter>(new Counter { Value = 1 }));

        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.ClearStateAsync("counter", grain, Empty()));
    }

    [Fact]
    public async Task Clear_forgets_the_etag()
    {
        var grain = NewGrain();
        var written = new GrainState<Counter>(new Counter { Value = 1 });
        await Storage.WriteStateAsync("counter", grain, written);

        await Storage.ClearStateAsync("counter", grain, written);

        Assert.Null(written.ETag);
    }
}
