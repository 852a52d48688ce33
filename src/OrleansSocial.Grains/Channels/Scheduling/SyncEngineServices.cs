using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace OrleansSocial.Grains.Channels.Scheduling;

public static class SyncEngineServices
{
    /// <summary>
    /// The clock the sync engine reads due times and budgets from. Its own key so tests can move
    /// the sync calendar (month ends, leap days) without moving Orleans' clock under membership.
    /// </summary>
    public const string ClockKey = "sync-clock";

    /// <summary>
    /// The sync engine's clock (the host's <see cref="TimeProvider"/> unless one was keyed first), and
    /// the silo's bound on concurrent publishing steps.
    /// </summary>
    public static IServiceCollection AddSyncEngine(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<Posts.Publishing.PublishingSlots>();
        services.TryAddSingleton<Posts.Publishing.PostWakeups>();
        services.TryAddSingleton<Sync.SyncSlots>();
        services.TryAddSingleton<Inbox.AccountDirectory>();
        services.TryAddSingleton<Operations.OperatorBoard>();
        services.TryAddSingleton<ReadModels.Operations.OperatorFigures>();
        services.TryAddKeyedSingleton<TimeProvider>(ClockKey, (provider, _) => provider.GetRequiredService<TimeProvider>());
        return services;
    }
}
