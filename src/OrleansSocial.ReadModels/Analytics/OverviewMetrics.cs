using OrleansSocial.Channels;

namespace OrleansSocial.ReadModels.Analytics;

/// <summary>
/// Which stored daily metric stands for each overview figure on each platform. Facebook retired
/// "impressions" for media views in 2025; the overview keeps the familiar names.
/// </summary>
public static class OverviewMetrics
{
    public const string Reach = "reach";
    public const string Impressions = "impressions";
    public const string Engagement = "engagement";

    public static readonly IReadOnlyList<string> Figures = [Reach, Impressions, Engagement];

    public static string MetricFor(string platform, string figure) => (platform, figure) switch
    {
        (ChannelIds.Facebook, Reach) => "page_total_media_view_unique",
        (ChannelIds.Facebook, Impressions) => "page_media_view",
        (ChannelIds.Facebook, Engagement) => "page_post_engagements",
        (_, Reach) => "reach",
        (_, Impressions) => "views",
        _ => "total_interactions",
    };
}
