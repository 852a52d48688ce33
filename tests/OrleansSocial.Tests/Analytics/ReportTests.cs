using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using OrleansSocial.GraphEmulator.World;
using OrleansSocial.ReadModels.Analytics;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Analytics;

/// <summary>A host whose emulator Page has a post a day, and whose channels sync only when asked.</summary>
public sealed class ReportHost : TenancyHost
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings { get; } = new Dictionary<string, string?>
    {
        ["Emulator:PostsPerPage"] = "730",
        ["Sync:InitialSyncWindow"] = "1.00:00:00",
    };
}

/// <summary>
/// The period report: the CSV carries exactly the stored figures and posts of the period; the HTML page
/// is self-contained and Chromium draws its charts (the screenshot is kept under the test output's
/// <c>artifacts</c> folder).
/// </summary>
public sealed class ReportTests(ReportHost host) : IClassFixture<ReportHost>
{
    private const string Page = "fb-100000000000000";

    private ApiClient Api => host.Api;

    private async Task<(ApiClient.Tenant Tenant, string Since, string Until)> SyncedTenantAsync()
    {
        var tenant = await Api.CreateTenantAsync();
        Assert.Equal(HttpStatusCode.Created, (await Api.TenantAsync(HttpMethod.Post, "/api/channels/facebook", tenant.Id, tenant.OwnerKey, new { userAccessToken = TokenStore.DemoUserToken })).StatusCode);
        await Api.SyncAndWaitAsync(tenant, Page, "daily", "monthly");
        var until = DateTimeOffset.UtcNow;
        return (tenant, Uri.EscapeDataString(until.AddDays(-20).ToString("O")), Uri.EscapeDataString(until.ToString("O")));
    }

    [Fact]
    public async Task The_csv_of_a_period_carries_exactly_the_stored_figures_and_posts_of_that_period()
    {
        var (tenant, since, until) = await SyncedTenantAsync();

        var response = await Api.TenantAsync(HttpMethod.Get, $"/api/analytics/report?since={since}&until={until}&format=csv", tenant.Id, tenant.OwnerKey);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        var rows = Csv(await response.Content.ReadAsStringAsync());
        Assert.Equal(Report.CsvHeader, rows[0]);
        var column = Report.CsvHeader.Select((name, i) => (name, i)).ToDictionary(c => c.name, c => c.i);

        var overview = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, $"/api/analytics/overview?since={since}&until={until}", tenant.Id, tenant.OwnerKey));
        // Every channel of the tenant (the demo user's two Pages), with the overview's figures for the period.
        var channelRows = rows.Where(r => r[0] == "channel").ToDictionary(r => r[column["channel_id"]]);
        var storedChannels = overview.GetProperty("channels").EnumerateArray().ToList();
        Assert.Equal(storedChannels.Select(c => c.GetProperty("channelId").GetString()!).Order(), channelRows.Keys.Order());
        foreach (var stored in storedChannels)
        {
            var channelRow = channelRows[stored.GetProperty("channelId").GetString()!];
            foreach (var figure in new[] { "followers", "reach", "impressions", "engagement" })
            {
                Assert.Equal(stored.GetProperty(figure).GetDouble(), double.Parse(channelRow[column[figure]], CultureInfo.InvariantCulture));
            }
        }

        Assert.True(storedChannels.Single(c => c.GetProperty("channelId").GetString() == Page).GetProperty("reach").GetDouble() > 0);
        var posts = (await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, $"/api/channels/{Page}/posts?since={since}&until={until}&limit=100", tenant.Id, tenant.OwnerKey)))
            .GetProperty("items").EnumerateArray().ToDictionary(p => p.GetProperty("postId").GetString()!);
        var postRows = rows.Where(r => r[0] == "post").ToList();
        Assert.All(postRows, r => Assert.Equal(Page, r[column["channel_id"]]));
        Assert.InRange(posts.Count, 18, 22);
        Assert.Equal(posts.Keys.Order(), postRows.Select(r => r[column["post_id"]]).Order());
        foreach (var row in postRows)
        {
            var post = posts[row[column["post_id"]]];
            Assert.Equal(post.GetProperty("reactions").GetInt64(), long.Parse(row[column["reactions"]], CultureInfo.InvariantCulture));
            Assert.Equal(post.GetProperty("comments").GetInt64(), long.Parse(row[column["comments"]], CultureInfo.InvariantCulture));
            Assert.Equal(post.GetProperty("shares").GetInt64(), long.Parse(row[column["shares"]], CultureInfo.InvariantCulture));
            Assert.Equal(post.GetProperty("message").GetString(), row[column["text"]]);
        }

        Assert.Equal("format", (await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Get, "/api/analytics/report?format=pdf", tenant.Id, tenant.OwnerKey), 400)).GetProperty("field").GetString());
        Assert.Equal("since", (await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Get, $"/api/analytics/report?since={until}&until={since}", tenant.Id, tenant.OwnerKey), 400)).GetProperty("field").GetString());

        // Insights are analytics:read: a viewer is refused every one of them, an analyst reads them.
        var viewer = await Api.AddMemberAsync(tenant, "viewer");
        var analyst = await Api.AddMemberAsync(tenant, "analyst");
        foreach (var path in new[] { "/api/analytics/report?format=csv", "/api/analytics/report?format=html", $"/api/channels/{Page}/best-times", $"/api/channels/{Page}/anomalies" })
        {
            await ProblemAssert.IsProblemAsync(await Api.TenantAsync(HttpMethod.Get, path, tenant.Id, viewer.Key), 403);
            Assert.Equal(HttpStatusCode.OK, (await Api.TenantAsync(HttpMethod.Get, path, tenant.Id, analyst.Key)).StatusCode);
        }
    }

    [Fact]
    public async Task The_html_report_is_one_self_contained_page_whose_charts_chromium_draws()
    {
        var (tenant, since, until) = await SyncedTenantAsync();

        var response = await Api.TenantAsync(HttpMethod.Get, $"/api/analytics/report?since={since}&until={until}&format=html", tenant.Id, tenant.OwnerKey);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=\"http", html, StringComparison.OrdinalIgnoreCase);
        var channels = (await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, "/api/channels", tenant.Id, tenant.OwnerKey))).GetProperty("items").GetArrayLength();
        Assert.Equal(2 * channels, html.Split("<svg").Length - 1);

        var folder = Path.Combine(AppContext.BaseDirectory, "artifacts");
        Directory.CreateDirectory(folder);
        var page = Path.Combine(folder, "analytics-report.html");
        var png = Path.Combine(folder, "analytics-report.png");
        File.Delete(png);
        await File.WriteAllTextAsync(page, html, Encoding.UTF8);
        await HeadlessChromium.ScreenshotAsync(new Uri(page), png, 900, 1400);

        var pixels = PngPixels.Read(png);
        Assert.Equal(900, pixels.Width);
        // The followers line, and the reach and engagement bars, in their own colours (far more than the legend's 10 x 10 squares).
        Assert.True(pixels.Count(ReportHtml.FollowersColor) > 1000, $"followers line: {pixels.Count(ReportHtml.FollowersColor)} pixels");
        Assert.True(pixels.Count(ReportHtml.ReachColor) > 1000, $"reach bars: {pixels.Count(ReportHtml.ReachColor)} pixels");
        Assert.True(pixels.Count(ReportHtml.EngagementColor) > 1000, $"engagement bars: {pixels.Count(ReportHtml.EngagementColor)} pixels");
    }

    /// <summary>RFC 4180 rows: quoted fields with doubled quotes, CRLF between rows.</summary>
    private static List<string[]> Csv(string text)
    {
        var rows = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n')
            {
                fields.Add(field.ToString().TrimEnd('\r'));
                field.Clear();
                rows.Add([.. fields]);
                fields.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        return rows;
    }
}
