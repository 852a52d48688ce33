using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.Storage;
using Orleans.TestingHost;
using OrleansSocial.Persistence.Postgres;

namespace OrleansSocial.Tests.Persistence;

/// <summary>
/// The grain storage checklist against Orleans' ADO.NET provider running our PostgreSQL scripts,
/// on a throwaway server: the provider the cluster profile stores grain state with.
/// </summary>
public sealed class PostgresGrainStorageTests(PostgresGrainStorageTests.Silos silos) : GrainStorageContract, IClassFixture<PostgresGrainStorageTests.Silos>
{
    protected override IGrainStorage Storage => silos.Storage(0);

    protected override IGrainStorage Twin() => silos.Storage(1);

    /// <summary>Two silos of a test cluster whose "state" provider is ADO.NET on PostgreSQL.</summary>
    public sealed class Silos : IAsyncLifetime
    {
        // TestCluster builds silos from a configurator type, so the connection string is shared statically.
        private static string s_connectionString = "";
        private readonly PostgresServer _server = new();
        private TestCluster _cluster = null!;

        public IGrainStorage Storage(int silo) =>
            ((InProcessSiloHandle)_cluster.Silos[silo]).SiloHost.Services.GetRequiredKeyedService<IGrainStorage>("state");

        public async Task InitializeAsync()
        {
            await _server.InitializeAsync();
            s_connectionString = _server.ConnectionString;
            // Applied twice on purpose: the scripts must be idempotent.
            await PostgresClusterSchema.ApplyAsync(s_connectionString, CancellationToken.None);
            await PostgresClusterSchema.ApplyAsync(s_connectionString, CancellationToken.None);
            var builder = new TestClusterBuilder(initialSilosCount: 2);
            builder.AddSiloBuilderConfigurator<Configurator>();
            _cluster = builder.Build();
            await _cluster.DeployAsync();
        }

        public async Task DisposeAsync()
        {
            await _cluster.StopAllSilosAsync();
            await _cluster.DisposeAsync();
            await _server.DisposeAsync();
        }

        private sealed class Configurator : ISiloConfigurator
        {
            public void Configure(ISiloBuilder siloBuilder) =>
                siloBuilder.AddAdoNetGrainStorage("state", options =>
                {
                    options.Invariant = PostgresClusterSiloBuilderExtensions.Invariant;
                    options.ConnectionString = s_connectionString;
                });
        }
    }
}
