using Orleans.Configuration;

namespace OrleansSocial.Host.Configuration;

/// <summary>
/// The shipped failure detection. Orleans' defaults probe every 5 s and suspect a silo after 3
/// missed probes: a SIGKILLed silo's tenants waited about 17 s for the survivors. Probing every
/// second with the same 3 misses declares a dead silo in about 3 to 4 s. What keeps a healthy but
/// busy silo from being voted out is Orleans' own: a prober whose own health is degraded (its
/// scheduler late, its CPU starved) stretches its probe timeout up to 4 times
/// (<see cref="ClusterMembershipOptions.ExtendProbeTimeoutDuringDegradation"/>), and with three or
/// more silos a failed direct probe is tried through another silo before it counts. The trade-off: a silo that stalls for
/// more than about 3 s (a long full GC, a frozen VM) is declared dead and must restart, where the
/// defaults would have waited 15 s. Every setting can still be overridden under <c>Orleans:Membership</c>.
/// </summary>
internal static class FailureDetection
{
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);

    public const int NumMissedProbesLimit = 3;

    public static void Apply(ClusterMembershipOptions options)
    {
        options.ProbeTimeout = ProbeTimeout;
        options.NumMissedProbesLimit = NumMissedProbesLimit;
    }
}
