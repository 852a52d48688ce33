namespace OrleansSocial.Benchmarks;

/// <summary>
/// Counts Orleans' warnings of a grain turn that held a scheduler thread too long ("… took elapsed
/// time … which is longer than …"): the sync and publishing benchmarks report it beside their figures (goal 0).
/// </summary>
internal sealed class SlowTurns : ILoggerProvider
{
    private static int _count;

    public static int Count => Volatile.Read(ref _count);

    public ILogger CreateLogger(string categoryName) => new Counter();

    public void Dispose()
    {
    }

    private sealed class Counter : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Warning && formatter(state, exception).Contains("took elapsed time", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _count);
            }
        }
    }
}
