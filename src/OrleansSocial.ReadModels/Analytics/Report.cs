using System.Globalization;
using System.Text;
using OrleansSocial.ReadModels.Lists;
using OrleansSocial.ReadModels.Sync;
using OrleansSocial.Storage.Documents;

namespace OrleansSocial.ReadModels.Analytics;

/// <summary>One day of a channel's key series in a report.</summary>
public sealed record ReportDay(DateTimeOffset Day, double Followers, double Reach, double Engagement);

/// <summary>A channel's part of the report: its figures, its days and its top posts of the period.</summary>
public sealed record ReportChannel(ChannelFigures Figures, IReadOnlyList<ReportDay> Days, IReadOnlyList<PostRecord> TopPosts);

/// <summary>
/// The period report (<c>GET /api/analytics/report</c>) read from what the sync engine stored. Posts are
/// read a page at a time along each channel's time index: the CSV writes each page as it comes, the
/// HTML keeps only each channel's top posts, so memory is bounded by a page whatever the period.
/// </summary>
public static class Report
{
    public const int TopPosts = 5;
    private const int PageSize = 100;

    public static readonly string[] CsvHeader =
        ["kind", "channel_id", "platform", "channel_name", "post_id", "published_at", "followers", "reach", "impressions", "engagement", "reactions", "comments", "shares", "permalink", "text"];

    /// <summary>The channel rows (period figures), then every post of the period channel by channel, newest first.</summary>
    public static async Task WriteCsvAsync(IDocumentDatabase database, DateTimeOffset from, DateTimeOffset to, Stream output, CancellationToken cancellationToken)
    {
        var overview = await OverviewQuery.RunAsync(database, from, to, cancellationToken);
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), bufferSize: 16 * 1024, leaveOpen: true) { NewLine = "\r\n" };
        await writer.WriteLineAsync(Row(CsvHeader));
        foreach (var channel in overview.Channels)
        {
            await writer.WriteLineAsync(Row(["channel", channel.ChannelId, channel.Platform, channel.Name, "", "", Number(channel.Followers), Number(channel.Reach),
                Number(channel.Impressions), Number(channel.Engagement), "", "", "", "", ""]));
        }

        foreach (var channel in overview.Channels)
        {
            await foreach (var page in SyncedPostsQuery.PagesAsync(database, channel.ChannelId, from, to, PageSize, cancellationToken))
            {
                foreach (var post in page)
                {
                    await writer.WriteLineAsync(Row(["post", channel.ChannelId, channel.Platform, channel.Name, post.PostId, StoredTime.Of(post.CreatedAt), "", "", "",
                        Number(post.Reactions + post.Comments + post.Shares), Number(post.Reactions), Number(post.Comments), Number(post.Shares), post.Permalink ?? "", post.Message ?? ""]));
                }

                // A page at a time reaches the client: nothing of the period is held back.
                await writer.FlushAsync(cancellationToken);
            }
        }
    }

    /// <summary>Each channel's figures, its days in the period and its top posts by engagement.</summary>
    public static async Task<(Overview Overview, IReadOnlyList<ReportChannel> Channels)> ReadAsync(IDocumentDatabase database, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var overview = await OverviewQuery.RunAsync(database, from, to, cancellationToken);
        var channels = new List<ReportChannel>();
        foreach (var figures in overview.Channels)
        {
            var followers = await SeriesAsync(database, figures.ChannelId, KeyMetrics.Followers(figures.Platform), from, to, cancellationToken);
            var reach = await SeriesAsync(database, figures.ChannelId, OverviewMetrics.MetricFor(figures.Platform, OverviewMetrics.Reach), from, to, cancellationToken);
            var engagement = await SeriesAsync(database, figures.ChannelId, OverviewMetrics.MetricFor(figures.Platform, OverviewMetrics.Engagement), from, to, cancellationToken);
            var days = followers.Keys.Union(reach.Keys).Union(engagement.Keys).Order()
                .Select(d => new ReportDay(d, followers.GetValueOrDefault(d), reach.GetValueOrDefault(d), engagement.GetValueOrDefault(d))).ToList();

            var top = new List<PostRecord>();
            await foreach (var page in SyncedPostsQuery.PagesAsync(database, figures.ChannelId, from, to, PageSize, cancellationToken))
            {
                top = [.. top.Concat(page).OrderByDescending(Engagement).ThenBy(p => p.PostId, StringComparer.Ordinal).Take(TopPosts)];
            }

            channels.Add(new ReportChannel(figures, days, top));
        }

        return (overview, channels);
    }

    public static long Engagement(PostRecord post) => post.Reactions + post.Comments + post.Shares;

    private static async Task<Dictionary<DateTimeOffset, double>> SeriesAsync(IDocumentDatabase database, string channelId, string metric, DateTimeOffset from, DateTimeOffset to,
        CancellationToken cancellationToken) =>
        (await DailySeries.ReadAsync(database, channelId, metric, from, to, cancellationToken)).ToDictionary(v => v.Day, v => v.Value);

    private static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled; a leading = + - @ is defused for spreadsheets.</summary>
    private static string Row(IEnumerable<string> fields) => string.Join(',', fields.Select(Field));

    private static string Field(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '@' && !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            value = "'" + value;
        }

        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }
}

/// <summary>The followers series a channel's reports and anomaly checks read.</summary>
public static class KeyMetrics
{
    /// <summary>Facebook keeps a daily total (<c>page_follows</c>); Instagram's <c>follower_count</c> is new followers a day.</summary>
    public static string Followers(string platform) => platform == OrleansSocial.Channels.ChannelIds.Facebook ? "page_follows" : "follower_count";
}
