using System.Net;
using Microsoft.Extensions.Options;
using OrleansSocial.Api.Configuration;
using OrleansSocial.Api.Tenancy;
using OrleansSocial.Tenancy;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Tenancy;

/// <summary>
/// The silo's access cache against a two-silo cluster, every call crossing the wire: the tenant
/// grain tells a subscribed cache to forget the tenant before any change returns, never on a read,
/// and never subscribes a cache for a refused key; the cache answers repeats itself and refuses a
/// revoked key, a lowered role or a suspension on the very next request.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class AccessCacheTests(ClusterFixture fixture)
{
    private sealed class CountingCache : ITenantAccessObserver
    {
        private int _forgets;

        public int Forgets => Volatile.Read(ref _forgets);

        public Task Forget(string tenantId)
        {
            Interlocked.Increment(ref _forgets);
            return Task.CompletedTask;
        }
    }

    private async Task<(ITenantGrain Grain, string Id, ProvisionedTenant Provisioned)> TenantAsync()
    {
        var id = "ac-" + Guid.NewGuid().ToString("N")[..10];
        var grain = fixture.Grains.GetGrain<ITenantGrain>(id);
        return (grain, id, await grain.Provision(new ProvisionTenant("Cache Co", Plans.Pro, "owner@cache.test")));
    }

    private AccessCache Cache() => new(fixture.Grains, TimeProvider.System, Options.Create(new ApiOptions()));

    [Fact]
    public async Task The_grain_tells_a_subscribed_cache_of_every_change_before_it_returns_and_of_no_read()
    {
        var (grain, _, provisioned) = await TenantAsync();
        var owner = new Actor(provisioned.Owner.MemberId);
        var counting = new CountingCache();
        var reference = fixture.Grains.CreateObjectReference<ITenantAccessObserver>(counting);

        Assert.Equal(AccessOutcome.Allowed, (await grain.AuthorizeWatched(provisioned.Owner.Key.ApiKey, withView: true, reference)).Outcome);
        await grain.Get();
        await grain.Authorize(provisioned.Owner.Key.ApiKey, null);
        await grain.ListMembers(null, 10);
        await grain.ReadAudit(null, 10);
        Assert.Equal(0, counting.Forgets);

        var member = await grain.AddMember(owner, new NewMember("viewer@cache.test", "viewer", []));
        Assert.Equal(1, counting.Forgets);
        await grain.ChangeMember(owner, member.MemberId, new MemberChange("editor", null));
        Assert.Equal(2, counting.Forgets);
        await grain.RevokeKey(owner, member.MemberId, member.Key.KeyId);
        Assert.Equal(3, counting.Forgets);
        await grain.ChangeSettings(owner, new SettingsChange("Renamed", null, null));
        Assert.Equal(4, counting.Forgets);
        await grain.Suspend(Actor.Operator, "unpaid");
        Assert.Equal(5, counting.Forgets);

        // A refused change may have written part of what it set out to: it is told too.
        await Assert.ThrowsAsync<DomainException>(() => grain.AddMember(owner, new NewMember("x@cache.test", "superuser", [])));
        Assert.Equal(6, counting.Forgets);
    }

    [Fact]
    public async Task A_refused_key_subscribes_nobody()
    {
        var (grain, id, provisioned) = await TenantAsync();
        var counting = new CountingCache();
        var reference = fixture.Grains.CreateObjectReference<ITenantAccessObserver>(counting);

        Assert.Equal(AccessOutcome.InvalidKey, (await grain.AuthorizeWatched($"{id}.nope.nope", withView: false, reference)).Outcome);
        await grain.ChangeSettings(new Actor(provisioned.Owner.MemberId), new SettingsChange("Renamed", null, null));

        Assert.Equal(0, counting.Forgets);
    }

    [Fact]
    public async Task The_cache_answers_repeats_itself_and_refuses_at_once_after_a_revocation_a_demotion_or_a_suspension()
    {
        var (grain, id, provisioned) = await TenantAsync();
        var owner = new Actor(provisioned.Owner.MemberId);
        var cache = Cache();
        var editor = await grain.AddMember(owner, new NewMember("editor@cache.test", "editor", []));
        var second = await grain.CreateKey(new Actor(editor.MemberId), editor.MemberId);

        var first = await cache.AuthorizeAsync(id, editor.Key.ApiKey, withView: false);
        Assert.Equal(AccessOutcome.Allowed, first.Outcome);
        Assert.Contains(Permissions.PostsWrite, first.Permissions!);
        // The same instance: answered here, not fetched (a grain answer arrives as a new copy).
        Assert.Same(first, await cache.AuthorizeAsync(id, editor.Key.ApiKey, withView: false));

        await grain.RevokeKey(owner, editor.MemberId, editor.Key.KeyId);
        Assert.Equal(AccessOutcome.InvalidKey, (await cache.AuthorizeAsync(id, editor.Key.ApiKey, withView: false)).Outcome);

        Assert.Contains(Permissions.PostsWrite, (await cache.AuthorizeAsync(id, second.ApiKey, withView: false)).Permissions!);
        await grain.ChangeMember(owner, editor.MemberId, new MemberChange("viewer", null));
        Assert.DoesNotContain(Permissions.PostsWrite, (await cache.AuthorizeAsync(id, second.ApiKey, withView: false)).Permissions!);

        Assert.Equal("Cache Co", (await cache.AuthorizeAsync(id, second.ApiKey, withView: true)).View!.Name);
        await grain.ChangeSettings(owner, new SettingsChange("Renamed", null, null));
        Assert.Equal("Renamed", (await cache.AuthorizeAsync(id, second.ApiKey, withView: true)).View!.Name);

        await grain.Suspend(Actor.Operator, "unpaid");
        Assert.Equal(AccessOutcome.Suspended, (await cache.AuthorizeAsync(id, second.ApiKey, withView: false)).Outcome);
    }

    [Fact]
    public async Task A_deactivated_tenant_grain_makes_the_cache_forget_it()
    {
        var (grain, id, provisioned) = await TenantAsync();
        var counting = new CountingCache();
        var reference = fixture.Grains.CreateObjectReference<ITenantAccessObserver>(counting);
        await grain.AuthorizeWatched(provisioned.Owner.Key.ApiKey, withView: false, reference);

        // The list of caches to tell lives in the activation: when it goes, they are told to forget.
        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        await Eventually.UntilAsync(() => Task.FromResult(counting.Forgets == 1), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_silo_leaving_the_cluster_empties_the_cache()
    {
        var (_, id, provisioned) = await TenantAsync();
        var cache = Cache();
        var first = await cache.AuthorizeAsync(id, provisioned.Owner.Key.ApiKey, withView: false);
        Assert.Same(first, await cache.AuthorizeAsync(id, provisioned.Owner.Key.ApiKey, withView: false));

        cache.ForgetAll();

        var fetched = await cache.AuthorizeAsync(id, provisioned.Owner.Key.ApiKey, withView: false);
        Assert.NotSame(first, fetched);
        Assert.Equal(AccessOutcome.Allowed, fetched.Outcome);
    }

    [Fact]
    public async Task A_decision_fetched_while_the_tenant_changed_is_not_kept()
    {
        var (_, id, provisioned) = await TenantAsync();
        var key = provisioned.Owner.Key.ApiKey;

        // The grain's answer is on its way when a change makes the cache forget the tenant, and a
        // request that came after the change fetches and keeps a fresh decision.
        AccessCache cache = null!;
        AccessDecision? fresh = null;
        var raced = 0;
        var grains = InterceptingGrainFactory.Create(fixture.Grains, afterAuthorizeWatched: async () =>
        {
            if (Interlocked.Exchange(ref raced, 1) == 0)
            {
                await cache.Forget(id);
                fresh = await cache.AuthorizeAsync(id, key, withView: false);
            }
        });
        cache = new AccessCache(grains, TimeProvider.System, Options.Create(new ApiOptions()));

        var stale = await cache.AuthorizeAsync(id, key, withView: false);
        Assert.Equal(AccessOutcome.Allowed, stale.Outcome);
        Assert.NotNull(fresh);
        Assert.NotSame(stale, fresh);

        // What the cache answers from memory now is the decision fetched after the change, not the one from before it.
        Assert.Same(fresh, await cache.AuthorizeAsync(id, key, withView: false));
    }

    [Fact]
    public async Task Made_up_tenant_ids_and_wrong_keys_leave_nothing_in_the_cache()
    {
        var (_, id, provisioned) = await TenantAsync();
        var cache = Cache();
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(AccessOutcome.UnknownTenant, (await cache.AuthorizeAsync($"nobody-{Guid.NewGuid():N}"[..20], "osk_made_up", withView: false)).Outcome);
        }

        Assert.Equal(AccessOutcome.InvalidKey, (await cache.AuthorizeAsync(id, "osk_wrong", withView: false)).Outcome);
        Assert.Equal(0, cache.TenantCount);

        await cache.AuthorizeAsync(id, provisioned.Owner.Key.ApiKey, withView: false);
        Assert.Equal(1, cache.TenantCount);
    }

    /// <summary>The cluster's grain factory, with a hook run after each tenant grain's AuthorizeWatched answers and before the caller sees it.</summary>
    private static class InterceptingGrainFactory
    {
        public static IGrainFactory Create(IGrainFactory inner, Func<Task> afterAuthorizeWatched) =>
            Intercepting<IGrainFactory>.Create(inner, (_, result) => result is ITenantGrain tenant
                ? Intercepting<ITenantGrain>.Create(tenant, (method, answer) => method.Name == nameof(ITenantGrain.AuthorizeWatched)
                    ? ThenAsync((Task<AccessDecision>)answer!, afterAuthorizeWatched)
                    : answer)
                : result);

        private static async Task<AccessDecision> ThenAsync(Task<AccessDecision> answer, Func<Task> after)
        {
            var decision = await answer;
            await after();
            return decision;
        }
    }

    /// <summary>Forwards every call of <typeparamref name="T"/> to an instance and lets the test replace what it returns.</summary>
    private class Intercepting<T> : System.Reflection.DispatchProxy where T : class
    {
        private T _inner = null!;
        private Func<System.Reflection.MethodInfo, object?, object?> _onResult = null!;

        public static T Create(T inner, Func<System.Reflection.MethodInfo, object?, object?> onResult)
        {
            var proxy = Create<T, Intercepting<T>>();
            var self = (Intercepting<T>)(object)proxy;
            self._inner = inner;
            self._onResult = onResult;
            return proxy;
        }

        protected override object? Invoke(System.Reflection.MethodInfo? method, object?[]? args) =>
            _onResult(method!, method!.Invoke(_inner, args));
    }
}
