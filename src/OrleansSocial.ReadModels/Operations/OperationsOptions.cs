namespace OrleansSocial.ReadModels.Operations;

/// <summary>The operator overview's figures and metrics (section <c>Operations</c>).</summary>
public sealed class OperationsOptions
{
    public const string Section = "Operations";

    /// <summary>How often a silo publishes its figures to the catalog and refreshes the cluster-wide gauges it exports.</summary>
    public TimeSpan PublishInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The route Prometheus scrapes (operator key, as Basic credentials or a bearer token); empty turns it off.</summary>
    public string MetricsPath { get; set; } = "/metrics";

    /// <summary>An active channel whose last good daily sync is older than this has data past due: a day, the sync stagger window (6 h) and an hour's grace.</summary>
    public TimeSpan DataPastDueAfter { get; set; } = TimeSpan.FromHours(31);

    /// <summary>A channel whose token expires within this counts as expiring.</summary>
    public TimeSpan TokenExpiryHorizon { get; set; } = TimeSpan.FromDays(7);
}
