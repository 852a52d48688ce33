using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using OrleansSocial.Api.Configuration;
using OrleansSocial.Tenancy;

namespace OrleansSocial.Api.Tenancy;

/// <summary>
/// This silo's memory of allowed access decisions, so a member's repeated requests are not a grain
/// call each. Correctness comes from the tenant grain, not from age: a decision is kept only after
/// the grain has subscribed this cache (<see cref="ITenantGrain.AuthorizeWatched"/>), and the grain
/// makes every subscribed cache forget the tenant before any change is acknowledged, so a revoked
/// key, a removed member, a lowered role or a suspension is refused by the very next request on
/// every silo. A decision fetched while a change was under way is not kept: each tenant's entries
/// live in a slot that forgetting replaces, and a fetch stores only into the slot it started with.
/// Age bounds what remains: an entry is used for at most <see cref="TenantAccessWatch.MaxEntryAge"/>
/// (for a grain that could not reach this silo), and everything is forgotten when a silo leaves
/// the cluster (a tenant grain that died with its silo cannot say what changed after). Only
/// allowed decisions are kept, under a digest of the key, never the key.
/// </summary>
internal sealed class AccessCache(IGrainFactory grains, TimeProvider time, IOptions<ApiOptions> options) : ITenantAccessObserver
{
    private readonly ConcurrentDictionary<string, TenantSlot> _tenants = new(StringComparer.Ordinal);
    private ITenantAccessObserver? _reference;

    private sealed class TenantSlot
    {
        public ConcurrentDictionary<(KeyDigest Key, bool WithView), (AccessDecision Decision, long At)> Entries { get; } = new();
    }

    /// <summary>A SHA-256 of the key as four words: compared and hashed without allocating a string per request.</summary>
    private readonly record struct KeyDigest(ulong A, ulong B, ulong C, ulong D);

    private bool Enabled => options.Value.AccessCacheTenants > 0;

    /// <summary>What this cache is to the grains; created once the silo runs, and held here (Orleans keeps only a weak reference).</summary>
    private ITenantAccessObserver Reference => _reference ??= grains.CreateObjectReference<ITenantAccessObserver>(this);

    public async Task<AccessDecision> AuthorizeAsync(string tenantId, string apiKey, bool withView)
    {
        if (!Enabled)
        {
            var tenant = grains.GetGrain<ITenantGrain>(tenantId);
            return withView ? await tenant.AuthorizeForView(apiKey) : await tenant.Authorize(apiKey, null);
        }

        var key = (Digest(apiKey), withView);
        var slot = _tenants.GetOrAdd(tenantId, static _ => new TenantSlot());
        if (slot.Entries.TryGetValue(key, out var entry) && time.GetElapsedTime(entry.At) < TenantAccessWatch.MaxEntryAge)
        {
            return entry.Decision;
        }

        // Only on a miss: resolving a grain reference reads the interface's attributes by reflection
        // (about a tenth of a hit's whole cost when it ran on every request).
        var fetchedAt = time.GetTimestamp();
        var decision = await grains.GetGrain<ITenantGrain>(tenantId).AuthorizeWatched(apiKey, withView, Reference);
        if (decision.Outcome == AccessOutcome.Allowed
            && _tenants.TryGetValue(tenantId, out var current) && ReferenceEquals(current, slot)
            && _tenants.Count <= options.Value.AccessCacheTenants)
        {
            slot.Entries[key] = (decision, fetchedAt);
        }
        else if (slot.Entries.IsEmpty)
        {
            // Nothing kept for this tenant id (unknown, a wrong key, suspended): the slot goes, so ids
            // made up by a caller cannot fill the silo's memory. Only this very slot, never a newer one.
            _tenants.TryRemove(new KeyValuePair<string, TenantSlot>(tenantId, slot));
        }

        return decision;
    }

    /// <summary>Tenants this cache holds a slot for (tests: what made-up tenant ids leave behind).</summary>
    internal int TenantCount => _tenants.Count;

    public Task Forget(string tenantId)
    {
        _tenants.TryRemove(tenantId, out _);
        return Task.CompletedTask;
    }

    /// <summary>A silo left the cluster: tenant grains that lived there took their subscriber lists with them.</summary>
    public void ForgetAll() => _tenants.Clear();

    private static KeyDigest Digest(string apiKey)
    {
        // Keys are short (well under a kilobyte: the front limits headers); longer ones are refused by the grain anyway.
        var length = Encoding.UTF8.GetMaxByteCount(apiKey.Length);
        var bytes = length <= 1024 ? stackalloc byte[length] : new byte[length];
        var written = Encoding.UTF8.GetBytes(apiKey, bytes);
        Span<ulong> hash = stackalloc ulong[SHA256.HashSizeInBytes / sizeof(ulong)];
        SHA256.HashData(bytes[..written], System.Runtime.InteropServices.MemoryMarshal.AsBytes(hash));
        return new KeyDigest(hash[0], hash[1], hash[2], hash[3]);
    }
}
