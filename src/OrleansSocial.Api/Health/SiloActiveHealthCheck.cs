using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Runtime;

namespace OrleansSocial.Api.Health;

/// <summary>Ready while this silo is an active cluster member and not shutting down.</summary>
internal sealed class SiloActiveHealthCheck(
    IClusterMembershipService membership,
    ILocalSiloDetails localSilo,
    IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("The silo is shutting down."));
        }

        var status = membership.CurrentSnapshot.GetSiloStatus(localSilo.SiloAddress);
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy("The silo is active.")
            : HealthCheckResult.Unhealthy($"The silo is {status}."));
    }
}
