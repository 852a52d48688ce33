using System.Security.Cryptography;
using System.Text;
using OrleansSocial.ReadModels;
using OrleansSocial.ReadModels.Analytics;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Webhooks;

namespace OrleansSocial.Grains.Analytics;

/// <summary>
/// After a sync, each key daily series of the channel (followers, reach, engagement) is judged on its
/// last two complete days against its own previous 28 (<see cref="AnomalyDetector"/>, the tenant's
/// thresholds). A day found far outside is stored once (its id is the channel, metric and day) and
/// announced as <c>insight.anomaly</c> with an event id made from that id, so announcing it again —
/// the next sync, or after a crash between the two writes — delivers nothing twice.
/// </summary>
internal sealed class AnomalyWatch(string tenantId, Func<Task<AnomalyThresholds>> thresholds, Func<IReadOnlyList<WebhookEvent>, Task> announce)
{
    public const int DaysJudged = 2;

    /// <summary>The tenant's thresholds, or the defaults when it has none to say.</summary>
    public static AnomalyThresholds ThresholdsOf(OrleansSocial.Tenancy.TenantStanding? standing) =>
        standing is null ? AnomalyThresholds.Default : new AnomalyThresholds(standing.AnomalyThreshold, standing.AnomalyMinimumChange);

    /// <summary>The series watched per platform, as (figure, stored metric).</summary>
    public static IReadOnlyList<(string Figure, string Metric)> KeySeries(string platform) =>
        [("followers", KeyMetrics.Followers(platform)), ("reach", OverviewMetrics.MetricFor(platform, OverviewMetrics.Reach)), ("engagement", OverviewMetrics.MetricFor(platform, OverviewMetrics.Engagement))];

    public async Task CheckAsync(IDocumentDatabase database, string channelId, string platform, RecentKeySeries recent, CancellationToken cancellationToken)
    {
        var now = recent.Until;
        var limits = await thresholds();
        var stored = database.GetCollection(Collections.Anomalies);
        var events = new List<WebhookEvent>();
        foreach (var (figure, metric) in KeySeries(platform))
        {
            // Complete days only: a day's value is judged once Graph's end_time for it has passed.
            var series = recent.Of(metric);
            foreach (var (day, value) in series.TakeLast(DaysJudged))
            {
                var baseline = series.Where(v => v.Day < day && v.Day >= day - TimeSpan.FromDays(AnomalyDetector.BaselineDays)).ToList();
                if (AnomalyDetector.Judge(baseline, day, value, limits) is not { } found)
                {
                    continue;
                }

                var id = AnomalyRecord.IdOf(channelId, metric, day);
                var record = new AnomalyRecord(id, channelId, figure, metric, day, value, found.Expected, found.Low, found.High, found.Direction, now);
                if (!await stored.InsertAsync(id, DocumentJson.ToJson(record), cancellationToken))
                {
                    // Found before: announced as it was stored then (the same event, so delivered once).
                    record = await stored.GetAsync(id, cancellationToken) is { } json && DocumentJson.TryRead<AnomalyRecord>(json) is { AnomalyId: not null } earlier ? earlier : record;
                }

                events.Add(EventOf(record));
            }
        }

        if (events.Count > 0)
        {
            await announce(events);
        }
    }

    private WebhookEvent EventOf(AnomalyRecord record) => WebhookEvent.Create(WebhookEventTypes.InsightAnomaly, tenantId, record.DetectedAt,
        new InsightAnomalyData(record.AnomalyId, record.ChannelId, record.Figure, record.Metric, record.Day, record.Value,
            record.Expected, record.ExpectedLow, record.ExpectedHigh, record.Direction),
        id: "evt_anomaly_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(tenantId + "/" + record.AnomalyId)))[..24]);

}
