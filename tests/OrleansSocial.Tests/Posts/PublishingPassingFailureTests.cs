using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Posts;

/// <summary>
/// Fails chosen grain calls of one tenant the way a call to a silo that just died fails
/// (<see cref="SiloUnavailableException"/>), before they leave the calling silo, a given number of times.
/// </summary>
public sealed class DyingSiloCalls : IOutgoingGrainCallFilter
{
    private readonly ConcurrentDictionary<(string Method, string TenantId, string? Action), int> _left = new();
    private readonly ConcurrentDictionary<(string Method, string TenantId, string? Action), int> _failed = new();

    /// <summary>The next <paramref name="times"/> calls of <paramref name="method"/> to a grain of <paramref name="tenantId"/> fail (for <c>RecordAudit</c>, only those of <paramref name="action"/>).</summary>
    public void Fail(string method, string tenantId, int times, string? action = null) => _left[(method, tenantId, action)] = times;

    public int Failed(string method, string tenantId, string? action = null) => _failed.GetValueOrDefault((method, tenantId, action));

    public Task Invoke(IOutgoingGrainCallContext context)
    {
        // Tenant grains are keyed by the tenant id, a tenant's other grains by keys that start with it and a '/'.
        var key = context.TargetId.Key.ToString()!;
        var tenantId = key.Split('/')[0];
        var action = context.MethodName == "RecordAudit" ? context.Request.GetArgument(1) as string : null;
        var rule = (context.MethodName, tenantId, action);
        if (_left.TryGetValue(rule, out var left) && left > 0 && _left.TryUpdate(rule, left - 1, left))
        {
            _failed.AddOrUpdate(rule, 1, (_, n) => n + 1);
            throw new SiloUnavailableException($"Test: {context.MethodName} to {key} fails as a call to a silo that just died.");
        }

        return context.Invoke();
    }
}

/// <summary>Publishing whose reminder ticks only every 10 minutes, so only a delivery that runs again by itself publishes within a test's time.</summary>
public sealed class PassingFailureHost : PublishingHost
{
    public DyingSiloCalls Calls { get; } = new();

    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>(base.ExtraSettings)
    {
        ["Publishing:ReminderPeriod"] = "00:10:00",
        ["Publishing:PassingRetryDelay"] = "00:00:00.200",
    };

    protected override Action<IServiceCollection>? ExtraServices => services => services.AddSingleton<IOutgoingGrainCallFilter>(Calls);
}

/// <summary>
/// A delivery stopped by a passing failure (a call in flight to a silo that died) runs again within
/// seconds instead of waiting for its reminder's next tick, and what it had written is audited once.
/// </summary>
public sealed class PublishingPassingFailureTests(PassingFailureHost host) : IClassFixture<PassingFailureHost>
{
    private const string Page = "fb-100000000000000";
    private const string PageId = "100000000000000";

    private ApiClient Api => host.Api;

    private async Task<string> ScheduleSoonAsync(ApiClient.Tenant tenant, string text)
    {
        var response = await Api.TenantAsync(HttpMethod.Post, "/api/posts", tenant.Id, tenant.OwnerKey,
            new { channelIds = new[] { Page }, text, scheduledAt = DateTimeOffset.UtcNow.AddSeconds(2).ToString("O") });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("postId").GetString()!;
    }

    private Task<JsonElement> PublishedAsync(ApiClient.Tenant tenant, string postId) =>
        Eventually.ValueAsync(
            async () => await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, $"/api/posts/{postId}", tenant.Id, tenant.OwnerKey)),
            post => post.GetProperty("status").GetString() == "published",
            TimeSpan.FromSeconds(30));

    private async Task<int> LandedAsync(string text) =>
        (await host.PublicationsAsync(PageId)).EnumerateArray().Count(p => p.GetProperty("message").GetString() == text);

    private async Task<List<JsonElement>> AuditAsync(ApiClient.Tenant tenant, string action, string postId) =>
        [.. (await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, "/api/audit?limit=100", tenant.Id, tenant.OwnerKey)))
            .GetProperty("items").EnumerateArray().Where(e => e.GetProperty("action").GetString() == action && e.GetProperty("target").GetString() == postId)];

    [Fact]
    public async Task A_delivery_whose_channel_call_fails_on_a_dead_silo_runs_again_within_seconds_and_publishes_once()
    {
        var tenant = await host.TenantWithChannelsAsync();
        var text = $"Passing {Guid.NewGuid():N}";
        // Three failures: more than the reminder's first tick and a start by hand could use up.
        host.Calls.Fail("OpenPublishing", tenant.Id, 3);
        var postId = await ScheduleSoonAsync(tenant, text);

        var post = await PublishedAsync(tenant, postId);

        Assert.Equal(3, host.Calls.Failed("OpenPublishing", tenant.Id));
        Assert.Equal(1, await LandedAsync(text));
        Assert.StartsWith(PageId + "_", post.GetProperty("publications")[0].GetProperty("platformPostId").GetString());
        Assert.Contains(host.Host.Logs.Lines, l => l.Contains(postId, StringComparison.Ordinal) && l.Contains("passing failure (silo unavailable)", StringComparison.Ordinal));
        // The audit follows the published state; it is written a moment after the post reads as published.
        Assert.Single(await Eventually.ValueAsync(() => AuditAsync(tenant, "post.published", postId), entries => entries.Count > 0, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task The_audit_of_a_publication_whose_tenant_call_fails_on_a_dead_silo_is_written_once_it_can_be()
    {
        var tenant = await host.TenantWithChannelsAsync();
        var text = $"Audited {Guid.NewGuid():N}";
        host.Calls.Fail("RecordAudit", tenant.Id, 2, "post.published");
        var postId = await ScheduleSoonAsync(tenant, text);

        await PublishedAsync(tenant, postId);

        var audited = await Eventually.ValueAsync(() => AuditAsync(tenant, "post.published", postId), entries => entries.Count > 0, TimeSpan.FromSeconds(30));
        Assert.Single(audited);
        Assert.Equal(2, host.Calls.Failed("RecordAudit", tenant.Id, "post.published"));
        Assert.Equal(1, await LandedAsync(text));
    }
}
