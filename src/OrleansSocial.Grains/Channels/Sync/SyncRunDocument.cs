using OrleansSocial.Budget;
using OrleansSocial.Channels;

namespace OrleansSocial.Grains.Channels.Sync;

/// <summary>
/// A run as stored in the tenant's <c>sync_runs</c> collection, written when it starts and after
/// every phase: which phases are done, what it has spent and written, and for a scheduled run the
/// due time per kind it answers (its id is derived from them, so one due time is one run).
/// </summary>
internal sealed record SyncRunDocument(
    string ChannelId,
    SyncRunView Run,
    string StartedAt,
    IReadOnlyList<string> Phases,
    IReadOnlyList<string> PhasesDone,
    IReadOnlyDictionary<string, DateTimeOffset> Dues,
    BudgetPriority Priority)
{
    public bool IsOpen => Run.Status is SyncRunStatus.Running or SyncRunStatus.Waiting;

    public static string ScheduledId(string kind, DateTimeOffset due) => $"scheduled-{kind}-{due.UtcDateTime:yyyyMMdd'T'HHmmss}";
}
