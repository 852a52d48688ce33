using Orleans.Runtime;
using Orleans.Storage;

namespace OrleansSocial.Tests.Persistence;

/// <summary>
/// The grain storage checklist (missing reads, round trips, ETag conflicts on write and clear,
/// independent state names and grains, concurrent first writes), run against each provider.
/// </summary>
public abstract class GrainStorageContract
{
    public sealed class Counter
    {
        public int Value { get; set; }

        public string? Label { get; set; }
    }

    /// <summary>The provider under test.</summary>
    protected abstract IGrainStorage Storage { get; }

    /// <summary>Another instance over the same store, as another silo would hold.</summary>
    protected abstract IGrainStorage Twin();

    protected static GrainId NewGrain() => GrainId.Create("counter", Guid.NewGuid().ToString("N"));

    protected static GrainState<Counter> Empty() => new(new Counter());

    /// <summary>A grain stored at value 2 and a copy read at value 1, whose ETag is now stale.</summary>
    private async Task<(GrainId Grain, GrainState<Counter> Stale)> StaleCopyAsync()
    {
        var grain = NewGrain();
        var writer = new GrainState<Counter>(new Counter { Value = 1 });
        await Storage.WriteStateAsync("counter", grain, writer);
        var stale = Empty();
        await Storage.ReadStateAsync("counter", grain, stale);
        writer.State!.Value = 2;
        await Storage.WriteStateAsync("counter", grain, writer);
        return (grain, stale);
    }

    private async Task AssertStoredValueAsync(GrainId grain, int expected)
    {
        var read = Empty();
        await Storage.ReadStateAsync("counter", grain, read);
        Assert.Equal(expected, read.State!.Value);
    }

    [SkippableFact]
    public async Task Reading_missing_state_gives_defaults_and_no_etag()
    {
        var state = new GrainState<Counter>(new Counter { Value = 99 });
        await Storage.ReadStateAsync("counter", NewGrain(), state);

        Assert.Equal(0, state.State!.Value);
        Assert.Null(state.ETag);
        Assert.False(state.RecordExists);
    }

    [SkippableFact]
    public async Task Written_state_reads_back_with_the_same_etag()
    {
        var grain = NewGrain();
        var written = new GrainState<Counter>(new Counter { Value = 7, Label = "seven" });
        await Storage.WriteStateAsync("counter", grain, written);

        var read = Empty();
        await Storage.ReadStateAsync("counter", grain, read);

        Assert.Equal(7, read.State!.Value);
        Assert.Equal("seven", read.State!.Label);
        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
    }

    [SkippableFact]
    public async Task Each_write_changes_the_etag()
    {
        var grain = NewGrain();
        var state = new GrainState<Counter>(new Counter { Value = 1 });
        await Storage.WriteStateAsync("counter", grain, state);
        var first = state.ETag;
        state.State!.Value = 2;
        await Storage.WriteStateAsync("counter", grain, state);

        Assert.NotEqual(first, state.ETag);
    }

    [SkippableFact]
    public async Task Write_with_a_stale_etag_is_refused_and_keeps_the_newer_state()
    {
        var (grain, stale) = await StaleCopyAsync();

        stale.State!.Value = 3;
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync("counter", grain, stale));

        await AssertStoredValueAsync(grain, 2);
    }

    [SkippableFact]
    public async Task First_write_without_etag_is_refused_when_a_row_exists()
    {
        var grain = NewGrain();
        await Storage.WriteStateAsync("counter", grain, new GrainState<Counter>(new Counter { Value = 1 }));

        await Assert.ThrowsAsync<InconsistentStateException>(() =>
            Storage.WriteStateAsync("counter", grain, new GrainState<Counter>(new Counter { Value = 5 })));
    }

    [SkippableFact]
    public async Task Clear_removes_the_state_and_a_later_write_starts_again()
    {
        var grain = NewGrain();
        var state = new GrainState<Counter>(new Counter { Value = 1 });
        await Storage.WriteStateAsync("counter", grain, state);

        await Storage.ClearStateAsync("counter", grain, state);
        Assert.False(state.RecordExists);

        var read = Empty();
        await Storage.ReadStateAsync("counter", grain, read);
        Assert.False(read.RecordExists);

        state.State!.Value = 4;
        await Storage.WriteStateAsync("counter", grain, state);
        await Storage.ReadStateAsync("counter", grain, read);
        Assert.Equal(4, read.State!.Value);
    }

    [SkippableFact]
    public async Task Clear_with_a_stale_etag_is_refused_and_keeps_the_state()
    {
        var (grain, stale) = await StaleCopyAsync();

        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.ClearStateAsync("counter", grain, stale));

        await AssertStoredValueAsync(grain, 2);
    }

    [SkippableFact]
    public async Task State_names_and_grains_are_independent()
    {
        var grain = NewGrain();
        await Storage.WriteStateAsync("counter", grain, new GrainState<Counter>(new Counter { Value = 1 }));

        var otherName = Empty();
        await Storage.ReadStateAsync("other", grain, otherName);
        var otherGrain = Empty();
        await Storage.ReadStateAsync("counter", NewGrain(), otherGrain);

        Assert.All([otherName, otherGrain], state => Assert.False(state.RecordExists));
    }

    [SkippableFact]
    public async Task Concurrent_first_writes_let_exactly_one_win()
    {
        var grain = NewGrain();
        var attempts = Enumerable.Range(0, 8).Select(async i =>
        {
            try
            {
                await Twin().WriteStateAsync("counter", grain, new GrainState<Counter>(new Counter { Value = i }));
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
    protected sealed class SystemTextJsonSerializer : IGrainStorageSerializer
    {
        public BinaryData Serialize<T>(T? input) => new(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(input));

        public T Deserialize<T>(BinaryData input) => System.Text.Json.JsonSerializer.Deserialize<T>(input.ToMemory().Span)!;
    }
}
