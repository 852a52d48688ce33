using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace OrleansSocial.Tests.Infrastructure;

/// <summary>
/// One two-silo <see cref="TestCluster"/> per test collection. Grain state and reminders are
/// in memory here: tests that are about storage use the real providers themselves.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(initialSilosCount: 2);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(SharedStorePath))
        {
            Directory.Delete(SharedStorePath, recursive: true);
        }
    }

    private static readonly string SharedStorePath = Path.Combine(Path.GetTempPath(), $"orleans-social-cluster-{Environment.ProcessId}");

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            // Both silos share one real SQLite tenant store, as silos of one cluster share one engine.
            siloBuilder.Services.AddSingleton<OrleansSocial.Storage.Documents.IDocumentStore>(_ =>
            {
                var store = new OrleansSocial.Storage.Sqlite.SqliteDocumentStore(SharedStorePath);
                store.InitializeAsync(CancellationToken.None).GetAwaiter().GetResult();
                return store;
            });
            siloBuilder.Services.AddSingleton(TimeProvider.System);
            siloBuilder.AddMemoryGrainStorage("state");
            siloBuilder.UseInMemoryReminderService();
            siloBuilder.Configure<Orleans.Hosting.ReminderOptions>(options => options.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
