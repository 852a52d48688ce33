using Microsoft.Extensions.DependencyInjection;
using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using Orleans.Utilities;
using OrleansSocial.Tenancy;

namespace OrleansSocial.Grains.Tenancy;

/// <summary>
/// The silos that keep this tenant's access decisions (<see cref="ITenantAccessObserver"/>). Every
/// call that may change something a decision or the view holds (members, keys, roles, status,
/// plan, limits, settings, usage) makes them forget the tenant before the call returns: deny by
/// default, so a call not listed as unchanging always does. Deactivating makes them forget too, as
/// the list of who to tell goes with the activation; a silo that dies takes its activations with it
/// and the caches forget everything on the membership change (see the front's access cache).
/// </summary>
public sealed partial class TenantGrain : IIncomingGrainCallFilter
{
    /// <summary>Calls that change nothing a cached decision or view holds (audit entries are not part of either).</summary>
    private static readonly FrozenSet<string> Unchanging = new[]
    {
        nameof(Get), nameof(Standing), nameof(Authorize), nameof(AuthorizeForView), nameof(AuthorizeWatched),
        nameof(ListMembers), nameof(ReadAudit), nameof(RecordAudit), nameof(FindReservedPost), nameof(AdmitWebhook), nameof(MayHaveWebhookEndpoints), nameof(AdmitDraft),
        nameof(HasMember),
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>A silo's cache that cannot be told within this long is dropped from the list; its entries end by age.</summary>
    private static readonly TimeSpan ForgetTimeout = TimeSpan.FromSeconds(5);

    private ObserverManager<ITenantAccessObserver>? _caches;

    private ObserverManager<ITenantAccessObserver> Caches => _caches ??= new(TenantAccessWatch.Lease, logger);

    public async Task<AccessDecision> AuthorizeWatched(string apiKey, bool withView, ITenantAccessObserver cache)
    {
        var decision = withView ? await AuthorizeForView(apiKey) : await Authorize(apiKey, null);
        if (decision.Outcome == AccessOutcome.Allowed)
        {
            Caches.Subscribe(cache, cache);
        }

        return decision;
    }

    async Task IIncomingGrainCallFilter.Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        finally
        {
            // A failed call may have changed part of what it set out to: forget either way.
            if (!Unchanging.Contains(context.MethodName))
            {
                await ForgetEverywhereAsync();
            }
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // While this silo shuts down its own cache goes with the process and its client no longer takes
        // calls (Orleans would retry placing the call and log each try): only the other silos are told.
        await ForgetEverywhereAsync(skipThisSilo: reason.ReasonCode == DeactivationReasonCode.ShuttingDown);
        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    private async Task ForgetEverywhereAsync(bool skipThisSilo = false)
    {
        if (_caches is not { Count: > 0 } caches)
        {
            return;
        }

        // This silo's own cache while it shuts down, and a cache on a silo membership no longer counts
        // as active (it went with its process): calling either only makes Orleans retry placing the
        // call and log the last try as an error.
        var local = ServiceProvider.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        var members = ServiceProvider.GetRequiredService<IClusterMembershipService>().CurrentSnapshot;
        foreach (var gone in caches.Observers.Where(o => HostSiloOf(o.Value) is { } silo && ((skipThisSilo && silo.Equals(local)) || members.GetSiloStatus(silo) != SiloStatus.Active)).ToList())
        {
            caches.Unsubscribe(gone.Key);
        }

        // All at once, each with its own deadline: one silo that does not answer must not keep the
        // others from hearing. One that fails or is late is dropped (it subscribes again on its next
        // miss) and its entries end by age.
        var targets = caches.Observers.ToList();
        var told = await Task.WhenAll(targets.Select(async target =>
        {
            try
            {
                await target.Value.Forget(TenantId).WaitAsync(ForgetTimeout);
                return true;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                return false;
            }
        }));
        var missed = targets.Where((_, i) => !told[i]).ToList();
        foreach (var target in missed)
        {
            caches.Unsubscribe(target.Key);
        }

        if (missed.Count > 0)
        {
            LogForgetMissed(logger, TenantId, missed.Count);
        }
    }

    /// <summary>The silo whose front made a cache observer (its hosted client's id names it), or null when the id does not say.</summary>
    private static SiloAddress? HostSiloOf(ITenantAccessObserver observer)
    {
        const string Prefix = "hosted-";
        if (observer is not IAddressable addressable
            || addressable.GetGrainId().Key.ToString() is not { } key
            || !key.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var end = key.IndexOf('+', StringComparison.Ordinal);
        try
        {
            return SiloAddress.FromParsableString(end < 0 ? key[Prefix.Length..] : key[Prefix.Length..end]);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 2020, Level = LogLevel.Warning, Message = "Tenant {TenantId}: {Count} silo access cache(s) did not confirm forgetting it; their entries end by age")]
    private static partial void LogForgetMissed(ILogger logger, string tenantId, int count);
}
