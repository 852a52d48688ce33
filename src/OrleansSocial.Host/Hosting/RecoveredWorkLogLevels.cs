using Microsoft.Extensions.DependencyInjection.Extensions;

namespace OrleansSocial.Host.Hosting;

/// <summary>
/// <c>fail:</c> is for what a person must look at. Between a silo's death and membership declaring it
/// dead (a few seconds), Orleans logs at error level what it then recovers by itself: a reminder tick
/// sent to a grain there (the next tick reaches the grain's new activation), a message or placement
/// retry that could not reach it. An Orleans or Polly error whose cause is a cluster failure
/// (<see cref="OrleansSocial.Cluster.ClusterFailure"/>) is written as a warning here; every other line
/// keeps its level, and the death itself is logged by membership.
/// </summary>
internal sealed class RecoveredWorkLogLevels(ILoggerFactory inner) : ILoggerFactory
{

    public static void Register(IServiceCollection services)
    {
        services.TryAddSingleton<LoggerFactory>();
        services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(provider => new RecoveredWorkLogLevels(provider.GetRequiredService<LoggerFactory>())));
    }

    public ILogger CreateLogger(string categoryName)
    {
        var logger = inner.CreateLogger(categoryName);
        return categoryName.StartsWith("Orleans.", StringComparison.Ordinal) || categoryName == "Polly" ? new Downgrading(logger) : logger;
    }

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    // The inner factory is a container singleton of its own, disposed by the container.
    public void Dispose()
    {
    }

    private static bool SiloGone(Exception? exception)
    {
        for (var cause = exception; cause is not null; cause = cause.InnerException)
        {
            if (OrleansSocial.Cluster.ClusterFailure.Describe(cause) is not null)
            {
                return true;
            }
        }

        return false;
    }

    private sealed class Downgrading(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            inner.Log(logLevel == LogLevel.Error && SiloGone(exception) ? LogLevel.Warning : logLevel, eventId, state, exception, formatter);
    }
}
