using OrleansSocial.Budget;
using OrleansSocial.Channels;

namespace OrleansSocial.ReadModels.Sync;

/// <summary>
/// A run as stored in the tenant's <c>sync_runs</c> collection, written when it starts and after
/// every phase: which phases are done, what it has spent and written, and for a scheduled run the
/// due time per kind it answers (its id is derived from them, so one due time is one run).
/// </summary>
public sealed record SyncRunRecord(
    string ChannelId,
    SyncRunView Run,
    string StartedAt,
    IReadOnlyList<string> Phases,
    IReadOnlyList<string> PhasesDone,
    IReadOnlyDictionary<string, DateTimeOffset> Dues,
    BudgetPriority Priority)
{
    public bool IsOpen => Run.Status is SyncRunStatus.Running or SyncRunStatus.Waiting;

    /// <summary>The stored run, or null when it is damaged: unreadable, or holding a kind or phase no run can have.</summary>
    public static SyncRunRecord? TryRead(System.Text.Json.JsonElement stored)
    {
        SyncRunRecord? document;
        try
        {
            document = DocumentJson.FromJson<SyncRunRecord>(stored);
        }
        catch (Exception exception) when (exception is System.Text.Json.JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            return null;
        }

        var intact = document is { Run: { SyncRunId: not null, Kinds: not null } run, Phases: not null, PhasesDone: not null, Dues: not null }
            && run.Kinds.All(k => k is not null && SyncKinds.All.Contains(k))
            && document.Phases.All(p => p is not null && SyncPhases.All.Contains(p))
            && document.PhasesDone.All(p => p is not null);
        return intact ? document : null;
    }

    /// <summary>
    /// The same for every tick and silo that answers this channel's due time (one run per due time),
    /// and never the same for two channels: a tenant's runs share one collection, and channels of a
    /// tenant often fall due in the same second.
    /// </summary>
    public static string ScheduledId(string channelId, string kind, DateTimeOffset due) => $"scheduled-{channelId}-{kind}-{due.UtcDateTime:yyyyMMdd'T'HHmmss}";
}
