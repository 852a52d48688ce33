using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansSocial.Host.Hosting;

namespace OrleansSocial.Tests.Hosting;

/// <summary>Orleans' and Polly's errors caused by a silo's death are warnings; every other error stays an error.</summary>
public sealed class RecoveredWorkLogLevelsTests
{
    private sealed class Levels : ILoggerProvider
    {
        public List<(string Category, LogLevel Level)> Written { get; } = [];

        public ILogger CreateLogger(string categoryName) => new Writer(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Writer(Levels owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Written.Add((category, logLevel));
        }
    }

    [Fact]
    public void A_cluster_failure_under_orleans_or_polly_is_a_warning_and_anything_else_keeps_its_level()
    {
        var levels = new Levels();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(levels).SetMinimumLevel(LogLevel.Trace));
        RecoveredWorkLogLevels.Register(services);
        using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<ILoggerFactory>();
        var silo = SiloAddress.New(System.Net.IPAddress.Loopback, 11111, 1);

        factory.CreateLogger("Orleans.Runtime.ReminderService.LocalReminderService").LogError(new SiloUnavailableException("gone"), "Could not deliver reminder tick");
        factory.CreateLogger("Polly").LogError(new Exception("wrapped", new Orleans.Runtime.Messaging.ConnectionFailedException($"Unable to connect to {silo}")), "Execution attempt");
        factory.CreateLogger("Orleans.Runtime.MembershipService").LogError(new InvalidOperationException("table"), "Membership table failed");
        factory.CreateLogger("OrleansSocial.Grains.Posts.PostGrain").LogError(new SiloUnavailableException("gone"), "Ours stays an error");
        factory.CreateLogger<RecoveredWorkLogLevelsTests>().LogCritical("Critical stays critical");

        Assert.Equal(
        [
            ("Orleans.Runtime.ReminderService.LocalReminderService", LogLevel.Warning),
            ("Polly", LogLevel.Warning),
            ("Orleans.Runtime.MembershipService", LogLevel.Error),
            ("OrleansSocial.Grains.Posts.PostGrain", LogLevel.Error),
            (typeof(RecoveredWorkLogLevelsTests).FullName!, LogLevel.Critical),
        ], levels.Written);
    }
}
