using OrleansSocial.Api.Membership;

namespace OrleansSocial.Api.Tenancy;

/// <summary>
/// Empties the <see cref="AccessCache"/> whenever a silo is declared dead: tenant grains that lived
/// there are activated again elsewhere without the list of caches to tell about changes.
/// </summary>
internal sealed partial class AccessCacheMembership(IClusterMembershipService membership, AccessCache cache, ILogger<AccessCacheMembership> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var died in membership.DeclaredDeadAsync(stoppingToken))
            {
                cache.ForgetAll();
                LogEmptied(logger, string.Join(", ", died));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(EventId = 420, Level = LogLevel.Information, Message = "Access cache emptied: silo {Silos} was declared dead")]
    private static partial void LogEmptied(ILogger logger, string silos);
}
