using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime;
using Orleans.Storage;
using OrleansSocial.Persistence.Sqlite.Providers;
using OrleansSocial.Persistence.Sqlite.Storage;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Persistence;

/// <summary>
/// The grain storage checklist (missing reads, round trips, ETag conflicts on write and
/// clear, independent state names and grains) against a real SQLite file.
/// </summary>
public sealed class SqliteGrainStorageTests : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _folder = new();
    private SqliteGrainStorage _storage = null!;

    public sealed class Counter
    {
        public int Value { get; set; }

        public string? Label { get; set; }
    }

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

    private static GrainId NewGrain() => GrainId.Create("counter", Guid.NewGuid().ToString("N"));

    private static GrainState<Counter> Empty() => new(new Counter());

    [Fact]
    public async Task Reading_missing_state_gives_defaults_and_no_etag()
    {
        var state = new GrainState<Counter>(new Counter { Value = 99 });
        await _storage.ReadStateAsync("counter", NewGrain(), state);

        Assert.Equal(0, state.State!.Value);
        Assert.Null(state.ETag);
        Assert.False(state.RecordExists);
    }

    [Fact]
    public async Task Written_state_reads_back_with_the_same_etag()
    {
        var grain = NewGrain();
        var written = new GrainState<Counter>(new Counter { Value = 7, Label = "seven" });
        await _storage.WriteStateAsync("counter", grain, written);

        var read = Empty();
        await _storage.ReadStateAsync("counter", grain, read);

        Assert.Equal(7, read.State!.Value);
        Assert.Equal("seven", read.State!.Label);
        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
    }

    [Fact]
    public async Task Each_write_changes_the_etag()
    {
        var grain = NewGrain();
        var state = new GrainState<Counter>(new Counter { Value = 1 });
        await _storage.WriteStateAsync("counter", grain, state);
        var first = state.ETag;
        state.State!.Value = 2;
        await _storage.WriteStateAsync("counter", grain, state);

        Assert.NotEqual(first, state.ETag);
    }

    [Fact]
    public async Task Write_with_a_stale_etag_is_refused_and_keeps_the_newer_state()
    {
        var grain = NewGrain();
        var writer = new GrainState<Counter>(new Counter { Value = 1 });
        await _storage.WriteStateAsync("counter", grain, writer);
        var stale = Empty();
        await _storage.ReadStateAsync("counter", grain, stale);
        writer.State!.Value = 2;
        await _storage.WriteStateAsync("counter", grain, writer);

        stale.State!.Value = 3;
        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync("counter", grain, stale));

        var read = Empty();
        await _storage.ReadStateAsync("counter", grain, read);
        Assert.Equal(2, read.State!.Value);
    }

    [Fact]
    public async Task First_write_without_etag_is_refused_when_a_row_exists()
    {
        var grain = NewGrain();
        await _storage.WriteStateAsync("counter", grain, new GrainState<Counter>(new Counter { Value = 1 }));

        await Assert.ThrowsAsync<InconsistentStateException>(() =>
            _storage.WriteStateAsync("counter", grain, new GrainState<Counter>(new Counter { Value = 5 })));
    }

    [Fact]
    public async Task Clear_removes_the_state_and_a_later_write_starts_again()
    {
        var grain = NewGrain();
        var state = new GrainState<Counter>(new Counter { Value = 1 });
        await _storage.WriteStateAsync("counter", grain, state);

        await _storage.ClearStateAsync("counter", grain, state);
        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);

        var read = Empty();
        await _storage.ReadStateAsync("counter", grain, read);
        Assert.False(read.RecordExists);

        state.State!.Value = 4;
        await _storage.WriteStateAsync("counter", grain, state);
        await _storage.ReadStateAsync("counter", grain, read);
        Assert.Equal(4, read.State!.Value);
    }

    [Fact]
    public async Task Clear_with_a_stale_etag_is_refused_and_keeps_the_state()
    {
        var grain = NewGrain();
        var writer = new GrainState<Counter>(new Counter { Value = 1 });
        await _storage.WriteStateAsync("counter", grain, writer);
        var stale = Empty();
        await _storage.ReadStateAsync("counter", grain, stale);
        writer.State!.Value = 2;
        await _storage.WriteStateAsync("counter", grain, writer);

        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.ClearStateAsync("counter", grain, stale));
        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.ClearStateAsync("counter", grain, Empty()));

        var read = Empty();
        await _storage.ReadStateAsync("counter", grain, read);
        Assert.Equal(2, read.State!.Value);
    }

    [Fact]
    public async Task State_names_grains_providers_and_services_are_independent()
    {
        var grain = NewGrain();
        await _storage.WriteStateAsync("counter", grain, new GrainState<Counter>(new Counter { Value = 1 }));

        var otherName = Empty();
        await _storage.ReadStateAsync("other", grain, otherName);
        var otherGrain = Empty();
        await _storage.ReadStateAsync("counter", NewGrain(), otherGrain);
        var otherProvider = Empty();
        await CreateStorage("archive", "service-a").ReadStateAsync("counter", grain, otherProvider);
        var otherService = Empty();
        await CreateStorage("state", "service-b").ReadStateAsync("counter", grain, otherService);

        Assert.All([otherName, otherGrain, otherProvider, otherService], state => Assert.False(state.RecordExists));
    }

    [Fact]
    public async Task Concurrent_first_writes_let_exactly_one_win()
    {
        var grain = NewGrain();
        var attempts = Enumerable.Range(0, 8).Select(async i =>
        {
            try
            {
                await CreateStorage("state", "service-a").WriteStateAsync("counter", grain, new GrainState<Counter>(new Counter { Value = i }));
                return true;
            }
            catch (InconsistentStateException)
            {
                return false;
            }
        });

        var results = await Task.WhenAll(attempts);
        Assert.Single(results, won => won);
    }

    /// <summary>Storage semantics are under test here, not Orleans' serializer.</summary>
    private sealed class SystemTextJsonSerializer : IGrainStorageSerializer
    {
        public BinaryData Serialize<T>(T? input) => new(JsonSerializer.SerializeToUtf8Bytes(input));

        public T Deserialize<T>(BinaryData input) => JsonSerializer.Deserialize<T>(input.ToMemory().Span)!;
    }
}
