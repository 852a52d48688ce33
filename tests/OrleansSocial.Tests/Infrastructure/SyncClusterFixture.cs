using OrleansSocial.Grains.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.TestingHost;
using OrleansSocial.Channels;
using OrleansSocial.Graph;
using OrleansSocial.Graph.Hosting;
using OrleansSocial.GraphEmulator;
using OrleansSocial.GraphEmulator.World;
using OrleansSocial.Grains.Channels.Scheduling;
using OrleansSocial.Grains.Secrets;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Sqlite;
using OrleansSocial.Tenancy;

namespace OrleansSocial.Tests.Infrastructure;

/// <summary>
/// Two silos of one cluster running the real channel and budget grains against a real emulator:
/// a shared SQLite tenant store and a shared SQLite reminder table (so reminders outlive a killed
/// silo), the sync calendar on a <see cref="ManualClock"/>, and reminder periods of a second.
/// </summary>
public sealed class SyncClusterFixture : IAsyncLifetime
{
    // Silos are built by TestCluster from configurator types, so what they share is static; one fixture at a time uses it.
    private static readonly string Root = Path.Combine(Path.GetTempPath(), $"orleans-social-sync-cluster-{Environment.ProcessId}");
    private static Uri s_emulator = null!;

    // Every silo of a cluster must read the tokens any other silo wrote.
    private static readonly string KeyRing = TokenKeyRing.NewEntry("k1");

    public static ManualClock Clock { get; } = new(new DateTimeOffset(2028, 2, 28, 12, 0, 0, TimeSpan.Zero));

    public static string StorePath => Path.Combine(Root, "tenants");

    public TestCluster Cluster { get; private set; } = null!;

    public RunningEmulator Emulator { get; private set; } = null!;

    public IDocumentStore Store { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    private ServiceProvider _client = null!;

    public GraphClient Graph { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Emulator = await EmulatorHost.StartAsync(o =>
        {
            // User 0's Pages are shared by most tests; user 1's belong to the budget test alone.
            o.Users = 2;
            o.PagesPerUser = 2;
            o.PostsPerPage = 730;
            o.MediaPerAccount = 365;
        });
        s_emulator = Emulator.BaseUrl;
        Directory.CreateDirectory(Root);
        var store = new SqliteDocumentStore(StorePath);
        await store.InitializeAsync(CancellationToken.None);
        Store = store;
        _client = new ServiceCollection().AddSingleton<IConfiguration>(new ConfigurationBuilder().Build()).AddGraphClient(PointAtEmulator).BuildServiceProvider();
        Graph = _client.GetRequiredService<GraphClient>();

        var builder = new TestClusterBuilder(initialSilosCount: 2);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        await Emulator.DisposeAsync();
        await _client.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    /// <summary>A new tenant with the emulator demo user's Pages connected through the channel grains; returns the tenant id and channel ids.</summary>
    public async Task<(string TenantId, IReadOnlyList<string> Channels)> TenantWithChannelsAsync(string plan = Plans.Enterprise, int user = 0)
    {
        var tenantId = "sc-" + Guid.NewGuid().ToString("N")[..10];
        await Grains.GetGrain<ITenantGrain>(tenantId).Provision(new ProvisionTenant("Sync Co", plan, $"owner@{tenantId}.test"));
        var longLived = (await Graph.ExchangeForLongLivedTokenAsync(UserToken(user))).Value;
        var channels = new List<string>();
        await foreach (var page in Graph.GetAccountsAsync(longLived.AccessToken))
        {
            foreach (var account in page.Items)
            {
                var channelId = ChannelIds.For(ChannelIds.Facebook, account.Id);
                await Channel(tenantId, channelId).Connect(new ChannelConnection(ChannelIds.Facebook, account.Id, account.Name ?? account.Id, account.AccessToken!, null));
                channels.Add(channelId);
            }
        }

        return (tenantId, channels);
    }

    private static void PointAtEmulator(GraphOptions options)
    {
        var emulator = new EmulatorOptions();
        options.BaseUrl = s_emulator.ToString().TrimEnd('/');
        options.AppId = emulator.AppId;
        options.AppSecret = emulator.AppSecret;
    }

    /// <summary>A user's token: user 0 is the demo user.</summary>
    public string UserToken(int user) => user == 0 ? TokenStore.DemoUserToken : Emulator.State.Tokens.UserTokenOf(Emulator.State.World.Users[user]);

    public IChannelGrain Channel(string tenantId, string channelId) => Grains.GetGrain<IChannelGrain>(ChannelIds.GrainKey(tenantId, channelId));

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var services = siloBuilder.Services;
            services.AddSingleton<IDocumentStore>(_ =>
            {
                var store = new SqliteDocumentStore(StorePath);
                store.InitializeAsync(CancellationToken.None).GetAwaiter().GetResult();
                return store;
            });
            services.AddSingleton(TimeProvider.System);
            services.AddKeyedSingleton<TimeProvider>(SyncEngineServices.ClockKey, Clock);
            services.AddSyncEngine();
            services.AddSingleton(new TokenProtector(TokenKeyRing.Parse(KeyRing)));
            services.AddGraphClient(PointAtEmulator);
            services.Configure<SyncOptions>(o =>
            {
                o.CatchUpPeriod = TimeSpan.FromSeconds(1);
                o.ResumePeriod = TimeSpan.FromSeconds(1);
                o.StaggerWindow = TimeSpan.FromHours(2);
                o.InitialSyncWindow = TimeSpan.FromSeconds(1);
                o.ShutdownGrace = TimeSpan.FromMilliseconds(200);
            });
            services.Configure<OrleansSocial.Grains.Posts.Publishing.PublishingOptions>(o =>
            {
                o.ReminderPeriod = TimeSpan.FromSeconds(1);
                o.RetryBaseDelay = TimeSpan.FromMilliseconds(200);
                o.WriteSettle = TimeSpan.FromSeconds(3);
            });
            services.AddWebhookDelivery();
            services.Configure<OrleansSocial.Grains.Webhooks.WebhookOptions>(o =>
            {
                o.AllowPrivateNetworks = true;
                o.RetryDelays = [.. Enumerable.Repeat(TimeSpan.FromMilliseconds(300), 10)];
                o.ReminderPeriod = TimeSpan.FromSeconds(1);
            });
            siloBuilder.AddMemoryGrainStorage("state");
            siloBuilder.UseSqliteReminderService(o => o.Configure(s => s.DatabasePath = Path.Combine(Root, "orleans.db")));
            siloBuilder.Configure<ReminderOptions>(options => options.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SyncClusterCollection : ICollectionFixture<SyncClusterFixture>
{
    public const string Name = "sync-cluster";
}
