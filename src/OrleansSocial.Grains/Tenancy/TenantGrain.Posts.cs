using System.Globalization;
using OrleansSocial.ReadModels;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Tenancy;

namespace OrleansSocial.Grains.Tenancy;

/// <summary>What posts need from their tenant, decided in its turn: idempotency of creation, and the monthly scheduled-post limit.</summary>
public sealed partial class TenantGrain
{
    private sealed record PostKeyDocument(string PostId, string BodyHash, DateTimeOffset At);

    private sealed record QuotaDocument(IReadOnlyList<string> PostIds);

    public async Task<(string PostId, bool Replay)> ReservePost(string? idempotencyKey, string bodyHash)
    {
        RequireTenant();
        var postId = "p" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
        if (idempotencyKey is null)
        {
            return (postId, false);
        }

        var keys = _database!.GetCollection(Collections.PostKeys);
        if (await keys.GetAsync(idempotencyKey, CancellationToken.None) is { } stored && DocumentJson.TryRead<PostKeyDocument>(stored) is { } earlier)
        {
            return earlier.BodyHash == bodyHash
                ? (earlier.PostId, true)
                : throw new DomainException(ProblemKind.Unprocessable, "This Idempotency-Key was used with a different body.", "Idempotency-Key");
        }

        await keys.UpsertAsync(idempotencyKey, DocumentJson.ToJson(new PostKeyDocument(postId, bodyHash, time.GetUtcNow())), CancellationToken.None);
        return (postId, false);
    }

    public async Task<(string PostId, string BodyHash)?> FindReservedPost(string idempotencyKey)
    {
        RequireTenant();
        return await _database!.GetCollection(Collections.PostKeys).GetAsync(idempotencyKey, CancellationToken.None) is { } stored
            && DocumentJson.TryRead<PostKeyDocument>(stored) is { PostId: not null, BodyHash: not null } earlier
            ? (earlier.PostId, earlier.BodyHash)
            : null;
    }

    public async Task AdmitScheduledPost(Actor actor, string postId, DateTimeOffset scheduledAt, DateTimeOffset? countedAt = null)
    {
        var entry = RequireTenant();
        var month = Month(scheduledAt);
        var quota = _database!.GetCollection(Collections.PostQuota);
        var counted = await CountedAsync(quota, month);
        if (counted.Contains(postId))
        {
            return;
        }

        if (entry.Limits.ScheduledPostsPerMonth is { } max && counted.Count >= max)
        {
            await _audit!.WriteAsync(actor, "post.scheduled", postId, AuditLog.Denied, $"plan limit scheduledPostsPerMonth ({max} in {month})");
            throw new DomainException(ProblemKind.PlanLimit, $"This plan allows {max} scheduled posts per month; {month} has {counted.Count}.", "scheduledPostsPerMonth");
        }

        await quota.UpsertAsync(month, DocumentJson.ToJson(new QuotaDocument([.. counted, postId])), CancellationToken.None);
        if (month == Month(time.GetUtcNow()))
        {
            _scheduledThisMonth = (month, counted.Count + 1);
        }

        // Counted where it publishes, no longer where it was planned: a crash before this line counts it twice, never not at all.
        if (countedAt is { } earlier && Month(earlier) != month)
        {
            var earlierMonth = Month(earlier);
            var before = await CountedAsync(quota, earlierMonth);
            if (before.Contains(postId))
            {
                await quota.UpsertAsync(earlierMonth, DocumentJson.ToJson(new QuotaDocument([.. before.Where(id => id != postId)])), CancellationToken.None);
                if (earlierMonth == Month(time.GetUtcNow()))
                {
                    _scheduledThisMonth = null;
                }
            }
        }
    }

    private static async Task<IReadOnlyList<string>> CountedAsync(IDocumentCollection quota, string month) =>
        await quota.GetAsync(month, CancellationToken.None) is { } stored && DocumentJson.TryRead<QuotaDocument>(stored) is { PostIds: not null } read ? read.PostIds : [];

    private readonly HeldAdmissions _draftAdmissions = new(TimeSpan.FromMinutes(1));

    public async Task AdmitDraft(Actor actor, string postId)
    {
        var entry = RequireTenant();
        if (entry.Limits.DraftPosts is not { } max)
        {
            return;
        }

        var now = time.GetUtcNow();
        var posts = _database!.GetCollection(Collections.PlannedPosts);
        // A draft whose record is written counts in the query below from now on.
        await _draftAdmissions.SettleAsync(now, async id => await posts.GetAsync(id, CancellationToken.None) is not null);

        // Served by the calendar's status index: the count costs the drafts, never the tenant's history.
        var drafts = await posts.CountAsync([FieldFilter.Eq(ReadModels.Posts.PostCalendar.StatusField, ReadModels.Posts.CalendarQuery.StatusName(OrleansSocial.Posts.PublicationStatus.Draft))], CancellationToken.None);
        if (drafts + _draftAdmissions.Count >= max)
        {
            await _audit!.WriteAsync(actor, "post.created", postId, AuditLog.Denied, $"plan limit draftPosts ({max})");
            throw new DomainException(ProblemKind.PlanLimit, $"This plan stores at most {max} drafts; schedule, publish or cancel some first.", "draftPosts");
        }

        _draftAdmissions.Hold(postId, now);
    }

    /// <summary>Posts counted this month, read once per month and kept by admissions.</summary>
    private async Task<int> ScheduledThisMonthAsync()
    {
        var month = Month(time.GetUtcNow());
        if (_scheduledThisMonth is { } known && known.Month == month)
        {
            return known.Count;
        }

        var stored = await _database!.GetCollection(Collections.PostQuota).GetAsync(month, CancellationToken.None);
        var count = stored is { } json && DocumentJson.TryRead<QuotaDocument>(json) is { } read ? read.PostIds.Count : 0;
        _scheduledThisMonth = (month, count);
        return count;
    }

    private static string Month(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);
}
