using Npgsql;
using OrleansSocial.GraphEmulator;

namespace OrleansSocial.Tests.Cluster;

/// <summary>
/// What silo-process tests share: a throwaway PostgreSQL with an Orleans database, an emulator as the
/// Graph backend, a data folder, the settings of cluster mode on loopback, and the silos started,
/// disposed last to first.
/// </summary>
internal sealed class ClusterEnvironment : IAsyncDisposable
{
    private readonly PostgresServer _postgres = new();
    private readonly TempFolder _data;

    private ClusterEnvironment(string folder) => _data = new TempFolder(folder);

    public RunningEmulator Emulator { get; private set; } = null!;

    public List<SiloProcess> Silos { get; } = [];

    public string ConnectionStringFor(string database) => _postgres.ConnectionStringFor(database);

    public static async Task<ClusterEnvironment> StartAsync(string folder, Action<EmulatorOptions> emulator)
    {
        var environment = new ClusterEnvironment(folder);
        await environment._postgres.InitializeAsync();
        await using (var connection = new NpgsqlConnection(environment._postgres.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE DATABASE orleans_cluster", connection);
            await create.ExecuteNonQueryAsync();
        }

        environment.Emulator = await EmulatorHost.StartAsync(emulator);
        return environment;
    }

    /// <summary>Cluster mode on this machine, with reminders down to a second and quicker failure detection than shipped; <paramref name="extra"/> adds to or overrides it.</summary>
    public Dictionary<string, string> Settings(string operatorKey, string clusterId, IReadOnlyDictionary<string, string>? extra = null)
    {
        var fast = new Dictionary<string, string>
        {
            ["Orleans:MinimumReminderPeriod"] = "00:00:01",
            ["Orleans:Membership:ProbeTimeout"] = "00:00:01",
            ["Orleans:Membership:NumMissedProbesLimit"] = "2",
            ["Orleans:Membership:TableRefreshTimeout"] = "00:00:02",
            // A silo joining while a killed one is still listed active waits until the killed one's
            // last "I am alive" is stale (twice this); Orleans' 30 s made a restarted cluster wait ~80 s.
            ["Orleans:Membership:IAmAliveTablePublishTimeout"] = "00:00:02",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            fast[key] = value;
        }

        return ClusterModeSettings.For(_postgres, clusterId, operatorKey, Emulator.BaseUrl, Emulator.State.Options.AppId, Emulator.State.Options.AppSecret, fast);
    }

    public SiloProcess StartSilo(int index, IReadOnlyDictionary<string, string> settings, bool logLevels = false)
    {
        var silo = SiloProcess.Start(Path.Combine(_data.Path, $"silo{index}"), settings, logLevels: logLevels);
        Silos.Add(silo);
        return silo;
    }

    public string Tails(int characters = 4000) => string.Join("\n----\n", Silos.Select(s => s.Output[Math.Max(0, s.Output.Length - characters)..]));

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in Enumerable.Reverse(Silos))
        {
            await silo.DisposeAsync();
        }

        if (Emulator is not null)
        {
            await Emulator.DisposeAsync();
        }

        await _postgres.DisposeAsync();
        _data.Dispose();
    }
}
