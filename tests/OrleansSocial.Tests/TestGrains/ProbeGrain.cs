using Orleans.Runtime;

namespace OrleansSocial.Tests.TestGrains;

/// <summary>A grain with persistent state and a reminder: what the host's Orleans storage must keep across restarts.</summary>
[Alias("OrleansSocial.Tests.IProbeGrain")]
public interface IProbeGrain : IGrainWithStringKey
{
    [Alias("SetValue")]
    Task SetValue(string value);

    [Alias("GetSnapshot")]
    Task<ProbeSnapshot> GetSnapshot();

    [Alias("ScheduleTick")]
    Task ScheduleTick(TimeSpan dueTime, TimeSpan period);

    [Alias("HasReminder")]
    Task<bool> HasReminder();
}

[GenerateSerializer, Immutable, Alias("OrleansSocial.Tests.ProbeSnapshot")]
public sealed record ProbeSnapshot(
    [property: Id(0)] string? Value,
    [property: Id(1)] int Ticks,
    [property: Id(2)] string Silo);

[GenerateSerializer, Alias("OrleansSocial.Tests.ProbeState")]
public sealed class ProbeState
{
    [Id(0)] public string? Value { get; set; }

    [Id(1)] public int Ticks { get; set; }
}

public sealed class ProbeGrain(
    [PersistentState("probe", "state")] IPersistentState<ProbeState> state,
    ILocalSiloDetails silo) : Grain, IProbeGrain, IRemindable
{
    private const string ReminderName = "probe-tick";

    public async Task SetValue(string value)
    {
        state.State.Value = value;
        await state.WriteStateAsync();
    }

    public Task<ProbeSnapshot> GetSnapshot() =>
        Task.FromResult(new ProbeSnapshot(state.State.Value, state.State.Ticks, silo.SiloAddress.ToString()));

    public async Task ScheduleTick(TimeSpan dueTime, TimeSpan period) =>
        await this.RegisterOrUpdateReminder(ReminderName, dueTime, period);

    public async Task<bool> HasReminder() => await this.GetReminder(ReminderName) is not null;

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        state.State.Ticks++;
        await state.WriteStateAsync();
    }
}
