using OrleansSocial.GraphEmulator.Graph;

namespace OrleansSocial.GraphEmulator.Control;

/// <summary>
/// The emulator's own surface under <c>/__emulator</c>: the world's tokens and ids, the clock,
/// faults, token expiry and revocation, budgets and the request log. Never called by the client.
/// </summary>
internal static class ControlApi
{
    public const string Prefix = "/__emulator";

    public sealed record ClockChange(DateTimeOffset? Set, double? AdvanceSeconds, double? Speed);

    public sealed record TokenChange(string Token, int? Subcode);

    /// <summary>Past posts (or media) for a Page (or Instagram account): when each was published and the engagement it starts from.</summary>
    public sealed record HistoryChange(string? ObjectId, IReadOnlyList<HistoryItem>? Items);

    public sealed record HistoryItem(DateTimeOffset CreatedTime, int Reactions, int Shares = 0, string? Message = null);

    /// <summary>A metric of a Page or Instagram account multiplied by <c>factor</c> on one Pacific day: 0.1 a drop, 5 a spike.</summary>
    public sealed record InsightChange(string? ObjectId, string? Metric, DateOnly? Day, double? Factor);

    public sealed record LimitsChange(int? AppCallsPerHour, int? PageCallsPerDay, int? InstagramCallsPerDay, bool? Reset);

    public static void Map(IEndpointRouteBuilder routes)
    {
        var control = routes.MapGroup(Prefix);
        control.MapGet("/world", (EmulatorState state, int? users) => new
        {
            appId = state.Options.AppId,
            appSecret = state.Options.AppSecret,
            appToken = state.Tokens.AppToken,
            demoUserToken = World.TokenStore.DemoUserToken,
            now = state.Clock.Now,
            pageCount = state.World.PageCount,
            users = state.World.Users.Take(users ?? 20).Select(u => new
            {
                id = u.Id,
                name = u.Name,
                shortLivedToken = state.Tokens.UserTokenOf(u),
                pages = state.World.PagesOf(u).Select(p => new { id = p.Id, name = p.Name, instagramId = p.InstagramId }),
            }),
            instagramAppId = state.Options.InstagramAppId,
            demoInstagramToken = World.TokenStore.DemoInstagramToken,
            instagramLoginAccounts = state.World.PagelessAccounts.Select(a => new { id = a.Id, username = a.Username }),
        });

        // What Instagram's OAuth dialog would hand the browser for an account (with or without a Page): a fresh short-lived token.
        control.MapPost("/instagram-login/{accountId}/token", (string accountId, EmulatorState state) =>
            state.World.FindAccount(accountId) is { } account
                ? Results.Ok(new { accessToken = state.Tokens.IssueInstagramShortLived(account, state.Clock.Now).Token, userId = account.Id, expiresIn = (long)World.TokenStore.InstagramShortLived.TotalSeconds })
                : Results.NotFound());

        // An account's past with a pattern a test knows (say, one weekday and hour that engages most): read by sync like any post.
        control.MapPost("/history", (HistoryChange change, EmulatorState state) =>
        {
            if (change.ObjectId is null || change.Items is null || change.Items.Any(i => i is null || i.CreatedTime > state.Clock.Now || i.Reactions < 0 || i.Shares < 0))
            {
                return Results.Problem(title: "Bad history", detail: "objectId and items (createdTime not in the future, reactions and shares not negative) are required.", statusCode: 400);
            }

            if (state.World.FindPage(change.ObjectId) is { } page)
            {
                var posts = change.Items.Select(i => state.World.AddPastPost(page, i.Message ?? "From the archive", i.CreatedTime, i.Reactions, i.Shares).Id).ToList();
                return Results.Ok(new { ids = posts });
            }

            if (state.World.FindAccount(change.ObjectId) is { } account)
            {
                var media = change.Items.Select(i => state.World.AddPastMedia(account, i.Message ?? "From the archive", i.CreatedTime, i.Reactions).Id).ToList();
                return Results.Ok(new { ids = media });
            }

            return Results.NotFound();
        });

        control.MapPost("/insights/change", (InsightChange change, EmulatorState state) =>
        {
            if (change is not { ObjectId: not null, Metric: not null, Day: { } day, Factor: >= 0 and var factor })
            {
                return Results.Problem(title: "Bad change", detail: "objectId, metric, day (yyyy-MM-dd, Pacific) and a factor of 0 or more are required.", statusCode: 400);
            }

            if (state.World.FindPage(change.ObjectId) is null && state.World.FindAccount(change.ObjectId) is null)
            {
                return Results.NotFound();
            }

            state.Shapes.Change(change.ObjectId, change.Metric, day, factor);
            return Results.NoContent();
        });

        control.MapGet("/clock", (EmulatorState state) => new { now = state.Clock.Now, speed = state.Clock.Speed });
        control.MapPost("/clock", (ClockChange change, EmulatorState state) =>
        {
            if (change.Set is { } set)
            {
                state.Clock.Set(set, change.Speed);
            }
            else if (change.Speed is { } speed)
            {
                state.Clock.Set(state.Clock.Now, speed);
            }

            if (change.AdvanceSeconds is { } seconds)
            {
                state.Clock.Advance(TimeSpan.FromSeconds(seconds));
            }

            return new { now = state.Clock.Now, speed = state.Clock.Speed };
        });

        control.MapPost("/faults", (Fault fault, EmulatorState state) =>
        {
            state.Faults.Add(fault);
            return Results.Created($"{Prefix}/faults", fault);
        });
        control.MapDelete("/faults", (EmulatorState state) =>
        {
            state.Faults.Clear();
            return Results.NoContent();
        });

        control.MapPost("/tokens/expire", (TokenChange change, EmulatorState state) =>
            state.Tokens.Expire(change.Token, state.Clock.Now) ? Results.NoContent() : Results.NotFound());
        control.MapPost("/tokens/revoke", (TokenChange change, EmulatorState state) =>
            state.Tokens.Revoke(change.Token, change.Subcode ?? 467) ? Results.NoContent() : Results.NotFound());
        control.MapPost("/tokens/restore", (TokenChange change, EmulatorState state) =>
            state.Tokens.Restore(change.Token) ? Results.NoContent() : Results.NotFound());

        control.MapPost("/limits", (LimitsChange change, EmulatorState state) =>
        {
            state.Buckets.AppCallsPerHour = change.AppCallsPerHour ?? state.Buckets.AppCallsPerHour;
            state.Buckets.PageCallsPerDay = change.PageCallsPerDay ?? state.Buckets.PageCallsPerDay;
            state.Buckets.InstagramCallsPerDay = change.InstagramCallsPerDay ?? state.Buckets.InstagramCallsPerDay;
            if (change.Reset == true)
            {
                state.Buckets.Reset();
            }

            return new { state.Buckets.AppCallsPerHour, state.Buckets.PageCallsPerDay, state.Buckets.InstagramCallsPerDay, state.Buckets.ThrottledCalls };
        });

        // What every bucket kind was charged since the last reset, in call units: benchmarks read a sync's budget share here.
        control.MapGet("/usage", (EmulatorState state) => new[] { "pages", "instagram", "app" }.ToDictionary(kind => kind, kind => state.Buckets.SpentOn(kind)));

        // What clients published, optionally for one Page or Instagram account: tests and benchmarks count duplicates here.
        control.MapGet("/publications", (EmulatorState state, string? ownerId) =>
            state.Publications.Where(p => ownerId is null || p.OwnerId == ownerId).Select(p => new
            {
                objectId = p.ObjectId, ownerId = p.OwnerId, kind = p.Kind, message = p.Message, link = p.Link, items = p.Items, createdAt = p.CreatedAt,
            }));

        FanComments.Map(control);

        control.MapGet("/log", (EmulatorState state) => state.Log.Snapshot());
        control.MapDelete("/log", (EmulatorState state) =>
        {
            state.Log.Reset();
            return Results.NoContent();
        });
    }
}
