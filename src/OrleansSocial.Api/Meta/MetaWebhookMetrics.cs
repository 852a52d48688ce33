using System.Diagnostics.Metrics;

namespace OrleansSocial.Api.Meta;

/// <summary>Meta's notifications at the front (meter <c>OrleansSocial.Meta</c>): taken, and refused by reason.</summary>
public static class MetaWebhookMetrics
{
    public const string MeterName = "OrleansSocial.Meta";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Accepted = Meter.CreateCounter<long>("orleans_social.meta_webhooks.accepted", description: "Meta notifications recorded and acknowledged");
    private static readonly Counter<long> Refused = Meter.CreateCounter<long>("orleans_social.meta_webhooks.refused", description: "Meta notifications refused, by reason");

    public static void Took() => Accepted.Add(1);

    public static void Refuse(string reason) => Refused.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
