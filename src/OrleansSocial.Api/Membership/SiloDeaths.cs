using System.Runtime.CompilerServices;
using Orleans.Runtime;

namespace OrleansSocial.Api.Membership;

/// <summary>What the cluster's membership news means to parts that must react to a crash: which silos were just declared dead.</summary>
internal static class SiloDeaths
{
    /// <summary>
    /// The silos each membership update declares dead: dead now, and not dead (or not yet seen) in
    /// the previous update, since updates can be coalesced. Silos already dead in the first update
    /// are history from before this silo started, not news.
    /// </summary>
    public static async IAsyncEnumerable<IReadOnlyList<SiloAddress>> DeclaredDeadAsync(
        this IClusterMembershipService membership, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Dictionary<SiloAddress, SiloStatus>? known = null;
        await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(cancellationToken))
        {
            var died = known is null
                ? []
                : snapshot.Members.Values
                    .Where(m => m.Status == SiloStatus.Dead && !(known.TryGetValue(m.SiloAddress, out var was) && was == SiloStatus.Dead))
                    .Select(m => m.SiloAddress)
                    .ToList();
            known = snapshot.Members.ToDictionary(m => m.Key, m => m.Value.Status);
            if (died.Count > 0)
            {
                yield return died;
            }
        }
    }
}
