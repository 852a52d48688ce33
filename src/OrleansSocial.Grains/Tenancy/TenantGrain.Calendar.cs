using Microsoft.Extensions.Logging;
using OrleansSocial.Posts;
using OrleansSocial.ReadModels;
using OrleansSocial.ReadModels.Posts;
using OrleansSocial.Storage.Documents;

namespace OrleansSocial.Grains.Tenancy;

/// <summary>
/// The read side's layout in this tenant's database (<see cref="ReadIndexes"/>, <see cref="PostCalendar"/>):
/// new tenants are provisioned with it; a tenant written by an older version gets the missing indexes and
/// has each post that lacks its calendar key activated once (the post grain, the only writer of its
/// record, stamps it). The layout's version is recorded once no readable post lacks the key.
/// </summary>
public sealed partial class TenantGrain
{
    private sealed record CalendarLayoutDocument(int Version);

    private const string CalendarLayoutId = "calendar";

    private async Task EnsureIndexesAsync(IEnumerable<(string Collection, IndexDefinition Index)> indexes)
    {
        foreach (var (collection, index) in indexes)
        {
            await _database!.GetCollection(collection).EnsureIndexAsync(index, CancellationToken.None);
        }
    }

    private Task MarkCalendarCurrentAsync() =>
        _database!.GetCollection(Collections.Settings).UpsertAsync(CalendarLayoutId, CalendarCurrent().Body, CancellationToken.None);

    /// <summary>The marker a tenant's database is made with: its calendar needs no upgrade.</summary>
    private static FirstDocument CalendarCurrent() =>
        new(Collections.Settings, CalendarLayoutId, DocumentJson.ToJson(new CalendarLayoutDocument(ReadIndexes.Version)));

    private async Task UpgradeCalendarAsync(CancellationToken cancellationToken)
    {
        var settings = _database!.GetCollection(Collections.Settings);
        if (await settings.GetAsync(CalendarLayoutId, cancellationToken) is { } stored && DocumentJson.TryRead<CalendarLayoutDocument>(stored) is { Version: >= ReadIndexes.Version })
        {
            return;
        }

        await EnsureIndexesAsync(ReadIndexes.Tenant);
        var waiting = 0;
        await foreach (var document in _database.GetCollection(Collections.PlannedPosts).ReadAllAsync(cancellationToken))
        {
            if (!PostCalendar.IsStamped(document.Body) && DocumentJson.TryRead<PostView>(document.Body) is { PostId: not null })
            {
                // One way: the post's activation may ask this grain things, so this grain does not wait for it.
                await GrainFactory.GetGrain<IPostGrain>(PostIds.GrainKey(TenantId, document.Id)).Touch();
                waiting++;
            }
        }

        if (waiting == 0)
        {
            await MarkCalendarCurrentAsync();
        }
        else
        {
            LogCalendarUpgrade(logger, TenantId, waiting);
        }
    }

    [LoggerMessage(EventId = 1110, Level = LogLevel.Information, Message = "Tenant {TenantId}: {Count} post(s) written by an older version are being brought into the calendar")]
    private static partial void LogCalendarUpgrade(ILogger logger, string tenantId, int count);

    [LoggerMessage(EventId = 1111, Level = LogLevel.Warning, Message = "Tenant {TenantId}: bringing older posts into the calendar failed; the next activation tries again")]
    private static partial void LogCalendarUpgradeFailed(ILogger logger, Exception exception, string tenantId);
}
