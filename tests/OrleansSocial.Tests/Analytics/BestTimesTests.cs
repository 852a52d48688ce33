using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansSocial.GraphEmulator.World;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Analytics;

/// <summary>A host whose first sync reads four months of posts, and whose emulator accounts start with almost no history of their own.</summary>
public sealed class BestTimesHost : TenancyHost
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings { get; } = new Dictionary<string, string?>
    {
        ["Emulator:PostsPerPage"] = "1",
        ["Emulator:MediaPerAccount"] = "1",
        ["Sync:FirstSyncDays"] = "120",
        // Manual syncs only: a scheduled first sync would race the tests' counts.
        ["Sync:InitialSyncWindow"] = "1.00:00:00",
    };
}

/// <summary>
/// Best times from a channel's stored history: a history whose best weekday and hour is known ranks it
/// first (in the tenant's time zone); a channel with too little history says so; a second sync counts
/// nothing twice; scheduling at the next best slot stores the time it chose.
/// </summary>
public sealed class BestTimesTests(BestTimesHost host) : IClassFixture<BestTimesHost>
{
    private const string PageId = "100000000000000";
    private const string Page = "fb-" + PageId;
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    private ApiClient Api => host.Api;

    private static readonly SemaphoreSlim HistoryOnce = new(1, 1);
    private static bool _historyAdded;

    /// <summary>
    /// 100 days of the Page's past, three posts a day at hours that wander, plus one every Tuesday at 18:00
    /// Paris time that engages twenty times as much as the rest. Added once: every test's tenant connects the same Page.
    /// </summary>
    private async Task AddHistoryAsync()
    {
        await HistoryOnce.WaitAsync();
        try
        {
            if (_historyAdded)
            {
                return;
            }

            var clock = await (await host.Emulator.GetAsync("/__emulator/clock")).Content.ReadFromJsonAsync<JsonElement>();
            var now = clock.GetProperty("now").GetDateTimeOffset();
            var today = TimeZoneInfo.ConvertTime(now, Paris).Date;
            var items = new List<object>();
            for (var day = 10; day <= 100; day++)
            {
                var date = today.AddDays(-day);
                foreach (var hour in new[] { day * 5 % 24, (day * 7 + 3) % 24, (day * 11 + 8) % 24 })
                {
                    if (!(date.DayOfWeek == DayOfWeek.Tuesday && hour == 18))
                    {
                        items.Add(new { createdTime = AtParis(date, hour, 10), reactions = 10 + day % 7, shares = 0 });
                    }
                }

                if (date.DayOfWeek == DayOfWeek.Tuesday)
                {
                    items.Add(new { createdTime = AtParis(date, 18, 5), reactions = 200 + day % 5, shares = 3 });
                }
            }

            var added = await host.Emulator.PostAsJsonAsync("/__emulator/history", new { objectId = PageId, items });
            Assert.Equal(HttpStatusCode.OK, added.StatusCode);
            _historyAdded = true;
        }
        finally
        {
            HistoryOnce.Release();
        }
    }

    private static DateTimeOffset AtParis(DateTime date, int hour, int minute)
    {
        var local = new DateTime(date.Year, date.Month, date.Day, hour, minute, 0, DateTimeKind.Unspecified);
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(Paris.IsInvalidTime(local) ? local.AddHours(1) : local, Paris), TimeSpan.Zero);
    }

    private async Task<ApiClient.Tenant> ParisTenantAsync()
    {
        var tenant = await Api.CreateTenantAsync();
        Assert.Equal(HttpStatusCode.OK, (await Api.TenantAsync(HttpMethod.Patch, "/api/tenant", tenant.Id, tenant.OwnerKey, new { timeZone = "Europe/Paris" })).StatusCode);
        var connected = await Api.TenantAsync(HttpMethod.Post, "/api/channels/facebook", tenant.Id, tenant.OwnerKey, new { userAccessToken = TokenStore.DemoUserToken });
        Assert.Equal(HttpStatusCode.Created, connected.StatusCode);
        return tenant;
    }

    private async Task<JsonElement> BestTimesAsync(ApiClient.Tenant tenant, string channel) =>
        await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, $"/api/channels/{channel}/best-times", tenant.Id, tenant.OwnerKey));

    [Fact]
    public async Task The_known_best_weekday_and_hour_ranks_first_in_the_tenants_time_zone_and_a_second_sync_counts_nothing_twice()
    {
        await AddHistoryAsync();
        var tenant = await ParisTenantAsync();
        Assert.Equal("pending", (await BestTimesAsync(tenant, Page)).GetProperty("status").GetString());

        await Api.SyncAndWaitAsync(tenant, Page);
        var best = await BestTimesAsync(tenant, Page);

        Assert.Equal("ranked", best.GetProperty("status").GetString());
        Assert.Equal("Europe/Paris", best.GetProperty("timeZone").GetString());
        var top = best.GetProperty("slots")[0];
        Assert.Equal("tuesday", top.GetProperty("weekday").GetString());
        Assert.Equal(18, top.GetProperty("hour").GetInt32());
        Assert.InRange(top.GetProperty("posts").GetInt32(), 12, 14);
        Assert.True(top.GetProperty("lift").GetDouble() > 2, top.GetRawText());
        Assert.True(top.GetProperty("confidence").GetDouble() > 0.8, top.GetRawText());
        // Every settled post of the history (10-100 days old: 273 wandering, 13 on Tuesdays) counted once.
        var analysed = best.GetProperty("postsAnalysed").GetInt32();
        Assert.InRange(analysed, 280, 290);
        foreach (var slot in best.GetProperty("slots").EnumerateArray())
        {
            Assert.True(slot.GetProperty("posts").GetInt32() >= 3, slot.GetRawText());
        }

        await Api.SyncAndWaitAsync(tenant, Page);
        var again = await BestTimesAsync(tenant, Page);
        Assert.Equal(analysed, again.GetProperty("postsAnalysed").GetInt32());
        Assert.Equal(top.GetRawText(), again.GetProperty("slots")[0].GetRawText());
        Assert.True(again.GetProperty("countedUntil").GetDateTimeOffset() >= best.GetProperty("countedUntil").GetDateTimeOffset());
    }

    [Fact]
    public async Task A_channel_with_too_little_history_says_so_and_scheduling_at_its_best_time_is_refused()
    {
        var tenant = await ParisTenantAsync();
        var connected = await Api.TenantAsync(HttpMethod.Post, "/api/channels/instagram", tenant.Id, tenant.OwnerKey, new { userAccessToken = TokenStore.DemoUserToken });
        Assert.Equal(HttpStatusCode.Created, connected.StatusCode);
        var instagram = (await ApiClient.JsonAsync(connected))[0].GetProperty("channelId").GetString()!;

        await Api.SyncAndWaitAsync(tenant, instagram);
        var best = await BestTimesAsync(tenant, instagram);

        Assert.Equal("insufficient_history", best.GetProperty("status").GetString());
        Assert.Equal(0, best.GetProperty("slots").GetArrayLength());
        Assert.InRange(best.GetProperty("postsAnalysed").GetInt32(), 0, 1);
        Assert.Contains("at least 20", best.GetProperty("detail").GetString());

        var refused = await Api.TenantAsync(HttpMethod.Post, "/api/posts", tenant.Id, tenant.OwnerKey, new { channelIds = new[] { instagram }, text = "When?", mediaUrls = new[] { "https://example.com/a.jpg" }, bestTimeFor = instagram });
        var problem = await ProblemAssert.IsProblemAsync(refused, 422);
        Assert.Contains("bestTimeFor", problem.GetRawText());
        Assert.Equal(0, (await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, "/api/posts", tenant.Id, tenant.OwnerKey))).GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task A_post_scheduled_at_the_next_best_slot_stores_the_soonest_start_of_one_of_the_three_best_slots()
    {
        await AddHistoryAsync();
        var tenant = await ParisTenantAsync();
        await Api.SyncAndWaitAsync(tenant, Page);
        var best = await BestTimesAsync(tenant, Page);
        var before = DateTimeOffset.UtcNow;

        var created = await Api.TenantAsync(HttpMethod.Post, "/api/posts", tenant.Id, tenant.OwnerKey, new { channelIds = new[] { Page }, text = "At the best time", bestTimeFor = Page });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var post = await ApiClient.JsonAsync(created);
        var scheduledAt = post.GetProperty("content").GetProperty("scheduledAt").GetDateTimeOffset();
        var wanted = best.GetProperty("slots").EnumerateArray().Take(3).Select(s => (s.GetProperty("weekday").GetString()!, s.GetProperty("hour").GetInt32())).ToList();
        // The soonest whole hour at least 15 minutes ahead whose Paris weekday and hour is one of the three.
        var expected = Enumerable.Range(0, 24 * 8).Select(h => new DateTimeOffset(before.UtcDateTime.Date, TimeSpan.Zero).AddHours(before.UtcDateTime.Hour + h))
            .Where(t => t >= before.AddMinutes(15))
            .First(t => wanted.Contains((TimeZoneInfo.ConvertTime(t, Paris).DayOfWeek.ToString().ToLowerInvariant(), TimeZoneInfo.ConvertTime(t, Paris).Hour)));
        Assert.Equal(expected, scheduledAt);
        Assert.Equal(scheduledAt, (await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, $"/api/posts/{post.GetProperty("postId").GetString()}", tenant.Id, tenant.OwnerKey)))
            .GetProperty("content").GetProperty("scheduledAt").GetDateTimeOffset());

        var both = await Api.TenantAsync(HttpMethod.Post, "/api/posts", tenant.Id, tenant.OwnerKey, new { channelIds = new[] { Page }, text = "Twice", bestTimeFor = Page, scheduledAt = DateTimeOffset.UtcNow.AddDays(1) });
        Assert.Contains("bestTimeFor", (await ProblemAssert.IsProblemAsync(both, 400)).GetRawText());
        var elsewhere = await Api.TenantAsync(HttpMethod.Post, "/api/posts", tenant.Id, tenant.OwnerKey, new { channelIds = new[] { Page }, text = "Elsewhere", bestTimeFor = "ig-1" });
        Assert.Contains("bestTimeFor", (await ProblemAssert.IsProblemAsync(elsewhere, 400)).GetRawText());
    }
}
