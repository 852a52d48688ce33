using System.Globalization;
using System.Net;
using System.Text;
using OrleansSocial.ReadModels.Sync;

namespace OrleansSocial.ReadModels.Analytics;

/// <summary>
/// The period report as one self-contained page: inline CSS and SVG, no script, no request for
/// anything else, so it reads offline and prints (one channel per printed page). Every text that came
/// from a platform or a member is HTML-encoded.
/// </summary>
public static class ReportHtml
{
    public const string FollowersColor = "#1f6feb";
    public const string ReachColor = "#2da44e";
    public const string EngagementColor = "#d4621b";
    private const int Width = 760;
    private const int Height = 180;
    private const int Pad = 36;

    public static string Render(string tenantName, Overview overview, IReadOnlyList<ReportChannel> channels, string timeZone)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
            .Append(Encode($"{tenantName}: report {Day(overview.Since)} – {Day(overview.Until)}"))
            .Append("</title><style>")
            .Append("body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;color:#1f2328;margin:24px;max-width:820px}")
            .Append("h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px}.muted{color:#656d76;font-size:13px}")
            .Append("table{border-collapse:collapse;width:100%;font-size:13px;margin:8px 0}th,td{border-bottom:1px solid #d0d7de;padding:4px 6px;text-align:left}")
            .Append("td.n,th.n{text-align:right}section{page-break-inside:avoid}svg{display:block;margin:6px 0}")
            .Append("@media print{body{margin:0}section{page-break-before:always}}")
            .Append("</style></head><body>");
        html.Append("<h1>").Append(Encode(tenantName)).Append("</h1><p class=\"muted\">")
            .Append(Encode($"{Day(overview.Since)} to {Day(overview.Until)} ({timeZone}) · {channels.Count} channel(s)")).Append("</p>");
        html.Append("<table><thead><tr><th>Channel</th><th class=\"n\">Followers</th><th class=\"n\">Reach</th><th class=\"n\">Impressions</th><th class=\"n\">Engagement</th></tr></thead><tbody>");
        foreach (var figures in overview.Channels.Append(overview.Total))
        {
            html.Append("<tr><td>").Append(Encode(figures.Name)).Append("</td>")
                .Append(Cell(figures.Followers)).Append(Cell(figures.Reach)).Append(Cell(figures.Impressions)).Append(Cell(figures.Engagement)).Append("</tr>");
        }

        html.Append("</tbody></table>");
        foreach (var channel in channels)
        {
            html.Append("<section><h2>").Append(Encode(channel.Figures.Name)).Append(" <span class=\"muted\">")
                .Append(Encode(channel.Figures.Platform)).Append("</span></h2>");
            html.Append(Chart("Followers", [("followers", FollowersColor, channel.Days.Select(d => d.Followers).ToList())], channel.Days, bars: false));
            html.Append(Chart("Reach and engagement by day",
                [("reach", ReachColor, channel.Days.Select(d => d.Reach).ToList()), ("engagement", EngagementColor, channel.Days.Select(d => d.Engagement).ToList())], channel.Days, bars: true));
            html.Append(TopPosts(channel.TopPosts));
            html.Append("</section>");
        }

        return html.Append("</body></html>").ToString();
    }

    private static string Chart(string title, IReadOnlyList<(string Label, string Color, List<double> Values)> series, IReadOnlyList<ReportDay> days, bool bars)
    {
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{Encode(title)}\">");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Pad}\" y=\"14\" font-size=\"12\" fill=\"#656d76\">{Encode(title)}</text>");
        for (var s = 0; s < series.Count; s++)
        {
            // The legend, right-aligned on the title's line.
            var x = Width - 8 - (series.Count - s) * 96;
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"5\" width=\"10\" height=\"10\" fill=\"{series[s].Color}\"/><text x=\"{x + 14}\" y=\"14\" font-size=\"11\" fill=\"#656d76\">{Encode(series[s].Label)}</text>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Pad}\" y1=\"{Height - Pad}\" x2=\"{Width - 8}\" y2=\"{Height - Pad}\" stroke=\"#d0d7de\"/>");
        if (days.Count == 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"{Height / 2}\" font-size=\"12\" text-anchor=\"middle\" fill=\"#656d76\">No stored values in this period</text>");
            return svg.Append("</svg>").ToString();
        }

        var max = Math.Max(1, series.SelectMany(s => s.Values).DefaultIfEmpty(0).Max());
        var plotWidth = Width - Pad - 8.0;
        var plotHeight = Height - Pad - 24.0;
        var step = plotWidth / days.Count;
        double X(int i) => Pad + step * (i + 0.5);
        double Y(double value) => Height - Pad - value / max * plotHeight;
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Pad - 4}\" y=\"{Y(max) + 4:0.#}\" font-size=\"10\" text-anchor=\"end\" fill=\"#656d76\">{max:0.#}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Pad}\" y=\"{Height - Pad + 14}\" font-size=\"10\" fill=\"#656d76\">{Day(days[0].Day)}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width - 8}\" y=\"{Height - Pad + 14}\" font-size=\"10\" text-anchor=\"end\" fill=\"#656d76\">{Day(days[^1].Day)}</text>");
        for (var s = 0; s < series.Count; s++)
        {
            var (_, color, values) = series[s];
            if (bars)
            {
                var barWidth = Math.Max(1, step / series.Count - 1);
                for (var i = 0; i < values.Count; i++)
                {
                    var top = Y(values[i]);
                    svg.Append(CultureInfo.InvariantCulture,
                        $"<rect x=\"{Pad + step * i + barWidth * s:0.##}\" y=\"{top:0.##}\" width=\"{barWidth:0.##}\" height=\"{Height - Pad - top:0.##}\" fill=\"{color}\"/>");
                }
            }
            else
            {
                var points = string.Join(' ', values.Select((v, i) => string.Create(CultureInfo.InvariantCulture, $"{X(i):0.##},{Y(v):0.##}")));
                svg.Append(CultureInfo.InvariantCulture, $"<polyline points=\"{points}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"3\"/>");
            }
        }

        return svg.Append("</svg>").ToString();
    }

    private static string TopPosts(IReadOnlyList<PostRecord> posts)
    {
        if (posts.Count == 0)
        {
            return "<p class=\"muted\">No posts in this period.</p>";
        }

        var table = new StringBuilder("<table><thead><tr><th>Top posts</th><th>Published</th><th class=\"n\">Reactions</th><th class=\"n\">Comments</th><th class=\"n\">Shares</th></tr></thead><tbody>");
        foreach (var post in posts)
        {
            var text = post.Message is { Length: > 90 } long_ ? long_[..90] + "…" : post.Message ?? post.PostId;
            var label = post.Permalink is { } link && Uri.TryCreate(link, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"
                ? $"<a href=\"{Encode(uri.AbsoluteUri)}\">{Encode(text)}</a>"
                : Encode(text);
            table.Append("<tr><td>").Append(label).Append("</td><td>").Append(Day(post.CreatedAt)).Append("</td>")
                .Append(Cell(post.Reactions)).Append(Cell(post.Comments)).Append(Cell(post.Shares)).Append("</tr>");
        }

        return table.Append("</tbody></table>").ToString();
    }

    private static string Cell(double value) => string.Create(CultureInfo.InvariantCulture, $"<td class=\"n\">{value:#,0.##}</td>");

    private static string Day(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
