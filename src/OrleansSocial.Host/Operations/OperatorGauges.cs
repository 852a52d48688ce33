using System.Diagnostics.Metrics;
using OrleansSocial.ReadModels.Operations;

namespace OrleansSocial.Host.Operations;

/// <summary>
/// The overview's cluster-wide figures as OpenTelemetry gauges (meter <c>OrleansSocial.Operations</c>),
/// refreshed by <see cref="FiguresPublisher"/>. Every silo exports the same cluster-wide values, so a
/// dashboard takes their max, not their sum; per-silo rates are the other meters' counters.
/// </summary>
public sealed class OperatorGauges : IDisposable
{
    public const string MeterName = "OrleansSocial.Operations";

    private readonly Meter _meter = new(MeterName);
    private volatile OverviewView? _last;

    public OperatorGauges()
    {
        Gauge("orleans_social.tenants", "Ready tenants by status", o => o.Tenants.ByStatus.Select(s => Tagged(s.Value, "status", s.Key)));
        Gauge("orleans_social.tenants_by_plan", "Ready tenants by plan", o => o.Tenants.ByPlan.Select(p => Tagged(p.Value, "plan", p.Key)));
        Gauge("orleans_social.channels", "Channels by status", o => o.Channels.ByStatus.Select(s => Tagged(s.Value, "status", s.Key)));
        Gauge("orleans_social.channels_tokens_expiring", "Channels whose token expires within 7 days", o => [new(o.Channels.TokensExpiringSoon)]);
        Gauge("orleans_social.channels_oldest_past_due", "Seconds the oldest past-due channel's data is overdue (0 when none)", o => [new(o.Channels.OldestPastDue?.OverdueSeconds ?? 0)]);
        Gauge("orleans_social.publishing_due_next_hour", "Publications due within the next hour", o => [new(o.Publishing.DueNextHour)]);
        Gauge("orleans_social.publishing_overdue", "Publications past their time and not yet settled", o => [new(o.Publishing.Overdue)]);
        Gauge("orleans_social.webhooks_deliveries_waiting", "Webhook deliveries waiting", o => [new(o.Webhooks.DeliveriesWaiting)]);
        Gauge("orleans_social.webhooks_oldest_waiting", "Age in seconds of the oldest waiting webhook delivery (0 when none)", o => [new(o.Webhooks.OldestWaitingSeconds ?? 0)]);
        Gauge("orleans_social.webhooks_endpoints_disabled", "Webhook endpoints disabled", o => [new(o.Webhooks.EndpointsDisabled)]);
        Gauge("orleans_social.budget_used", "Share of a Graph rate-limit bucket used, in percent, for the busiest buckets", o => o.Budgets.Select(b => Tagged(b.PercentUsed, "bucket", b.Bucket)));
        Gauge("orleans_social.database_server_up", "1 when the database server answered its last ping", o => o.Servers.Select(s => Tagged(s.Healthy ? 1 : 0, "server", s.Name)));
    }

    public void Update(OverviewView overview) => _last = overview;

    public void Dispose() => _meter.Dispose();

    private void Gauge(string name, string description, Func<OverviewView, IEnumerable<Measurement<double>>> read) =>
        _meter.CreateObservableGauge(name, () => _last is { } last ? read(last) : [], description: description);

    private static Measurement<double> Tagged(double value, string tag, string tagValue) => new(value, new KeyValuePair<string, object?>(tag, tagValue));
}
