using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OrleansSocial.Grains.Posts.Publishing;

/// <summary>
/// Publishing's instruments (meter <c>OrleansSocial.Publishing</c>): publications published and
/// failed, and how late after their due time they went out. Tagged by tenant and platform, never by content.
/// </summary>
public static class PublishingMetrics
{
    public const string MeterName = "OrleansSocial.Publishing";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> PublishedCount = Meter.CreateCounter<long>("orleans_social.publishing.published", description: "Publications published (adopted after an unknown outcome included)");
    private static readonly Counter<long> FailedCount = Meter.CreateCounter<long>("orleans_social.publishing.failed", description: "Publications failed, by reason");
    private static readonly Histogram<double> Lateness = Meter.CreateHistogram<double>("orleans_social.publishing.lateness", unit: "s", description: "Seconds from a publication's due time to its publication");

    public static void Published(string tenantId, string platform, bool adopted, TimeSpan lateness)
    {
        PublishedCount.Add(1, new TagList { { "tenant", tenantId }, { "platform", platform }, { "adopted", adopted } });
        Lateness.Record(Math.Max(0, lateness.TotalSeconds), new TagList { { "platform", platform } });
    }

    public static void Failed(string tenantId, string platform, string reason) =>
        FailedCount.Add(1, new TagList { { "tenant", tenantId }, { "platform", platform }, { "reason", reason } });
}
