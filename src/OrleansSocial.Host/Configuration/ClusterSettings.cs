using System.ComponentModel.DataAnnotations;

namespace OrleansSocial.Host.Configuration;

/// <summary>How this process joins the Orleans cluster (<c>Orleans</c> section).</summary>
public sealed class ClusterSettings
{
    public const string Section = "Orleans";

    [Required(AllowEmptyStrings = false, ErrorMessage = "Orleans:ClusterId must not be empty.")]
    [RegularExpression("^[A-Za-z0-9._-]{1,64}$", ErrorMessage = "Orleans:ClusterId may hold letters, digits, '.', '_' and '-' (1-64 characters).")]
    public string ClusterId { get; set; } = "orleans-social-dev";

    /// <summary>Stable across restarts and deployments: reminders and grain state are keyed by it.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Orleans:ServiceId must not be empty.")]
    [RegularExpression("^[A-Za-z0-9._-]{1,64}$", ErrorMessage = "Orleans:ServiceId may hold letters, digits, '.', '_' and '-' (1-64 characters).")]
    public string ServiceId { get; set; } = "orleans-social";

    [Range(1, 65535, ErrorMessage = "Orleans:SiloPort must be a TCP port (1-65535).")]
    public int SiloPort { get; set; } = 11111;

    /// <summary>0 (the default) runs no gateway: the API silo calls its grains in-process.</summary>
    [Range(0, 65535, ErrorMessage = "Orleans:GatewayPort must be a TCP port (1-65535), or 0 for none.")]
    public int GatewayPort { get; set; }

    /// <summary>
    /// <c>embedded</c> (default): one silo on loopback, Orleans state in SQLite under <c>Data:Path</c>.
    /// <c>postgres</c>: any number of silos sharing membership, reminders and grain state in
    /// PostgreSQL (<see cref="Postgres"/>). (Not <c>Orleans:Clustering</c>: Orleans reads that section itself.)
    /// </summary>
    [RegularExpression("^(embedded|postgres)$", ErrorMessage = "Orleans:Mode must be 'embedded' or 'postgres'.")]
    public string Mode { get; set; } = "embedded";

    /// <summary>Connection string of the PostgreSQL database holding the cluster's Orleans tables (Mode = postgres).</summary>
    public string? Postgres { get; set; }

    /// <summary>The address other silos reach this one at; default: loopback on localhost, the machine's address in a cluster.</summary>
    public string? AdvertisedAddress { get; set; }

    public bool IsCluster => Mode == "postgres";

    /// <summary>
    /// Cluster mode: where grain state lives. <c>postgres</c> (default): with membership and reminders.
    /// <c>mongo</c>: in MongoDB (<c>Storage:Mongo</c>), tenant-owned grains' state in the tenant's own database.
    /// </summary>
    [RegularExpression("^(postgres|mongo)$", ErrorMessage = "Orleans:GrainState must be 'postgres' or 'mongo'.")]
    public string GrainState { get; set; } = "postgres";

    /// <summary>
    /// In Kubernetes (Mode = postgres): take the silo's identity and address from the pod
    /// (POD_NAME, POD_NAMESPACE, POD_IP) through Orleans' Kubernetes hosting, which also removes
    /// silos whose pods are gone.
    /// </summary>
    public bool Kubernetes { get; set; }

    /// <summary>Lowered in tests only: how short a reminder period may be.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Orleans:MinimumReminderPeriod must be between 00:00:01 and 1.00:00:00.")]
    public TimeSpan MinimumReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);
}
