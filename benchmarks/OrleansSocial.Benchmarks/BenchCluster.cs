using Npgsql;
using OrleansSocial.GraphEmulator;
using OrleansSocial.Testing;

namespace OrleansSocial.Benchmarks;

/// <summary>
/// Silo processes in cluster mode on one machine, as the README's cluster section runs them: a
/// throwaway PostgreSQL (Orleans' tables and the tenant databases), an emulator in this process as
/// the Graph backend, and the shipped membership and reminder settings unless a benchmark says otherwise.
/// </summary>
internal sealed class BenchCluster : IAsyncDisposable
{
    private readonly TempFolder _data;
    private readonly List<SiloProcess> _silos = [];

    private BenchCluster(PostgresServer postgres, RunningEmulator emulator, TempFolder data, string clusterId)
    {
        Postgres = postgres;
        Emulator = emulator;
        _data = data;
        ClusterId = clusterId;
    }

    public PostgresServer Postgres { get; }

    public RunningEmulator Emulator { get; }

    public string ClusterId { get; }

    public static async Task<BenchCluster> StartAsync(string clusterId, int maxConnections, int users, int pagesPerUser = 1)
    {
        var postgres = new PostgresServer { MaxConnections = maxConnections };
        await postgres.InitializeAsync();
        await using (var connection = new NpgsqlConnection(postgres.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE DATABASE orleans_cluster", connection);
            await create.ExecuteNonQueryAsync();
        }

        var emulator = await EmulatorHost.StartAsync(o =>
        {
            o.Users = users;
            o.PagesPerUser = pagesPerUser;
        });
        return new BenchCluster(postgres, emulator, new TempFolder($"bench-{clusterId}"), clusterId);
    }

    public Dictionary<string, string> Settings(IReadOnlyDictionary<string, string>? extra = null) =>
        ClusterModeSettings.For(Postgres, ClusterId, BenchHost.OperatorKey, Emulator.BaseUrl, Emulator.State.Options.AppId, Emulator.State.Options.AppSecret, extra);

    public SiloProcess StartSilo(IReadOnlyDictionary<string, string> settings)
    {
        var silo = SiloProcess.Start(Path.Combine(_data.Path, $"silo{_silos.Count}"), settings, logLevels: true, longLived: true);
        _silos.Add(silo);
        return silo;
    }

    /// <summary>
    /// Suspicions on record against silos that are still active (the membership table keeps each
    /// vote as "voter, time" in SuspectTimes) and silos declared dead that nobody killed.
    /// </summary>
    public async Task<(int Suspicions, int Dead)> FalseSuspicionsAsync(IReadOnlyCollection<SiloProcess> killed)
    {
        var killedPorts = killed.Select(s => s.SiloPort).ToHashSet();
        await using var connection = new NpgsqlConnection(Postgres.ConnectionStringFor("orleans_cluster"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT Port, Status, coalesce(SuspectTimes, '') FROM OrleansMembershipTable WHERE DeploymentId = @cluster", connection);
        command.Parameters.AddWithValue("cluster", ClusterId);
        await using var reader = await command.ExecuteReaderAsync();
        var suspicions = 0;
        var dead = 0;
        while (await reader.ReadAsync())
        {
            if (killedPorts.Contains(reader.GetInt32(0)))
            {
                continue;
            }

            suspicions += reader.GetString(2).Split('|', StringSplitOptions.RemoveEmptyEntries).Length;
            dead += reader.GetInt32(1) == 6 ? 1 : 0;
        }

        return (suspicions, dead);
    }

    /// <summary>The votes against the silo on <paramref name="port"/>, as the membership table keeps them ("voter, time" separated by |).</summary>
    public async Task<string> VotesAgainstAsync(int port) =>
        (string)(await SiloScalarAsync("SELECT coalesce(string_agg(SuspectTimes, ' || '), '') FROM OrleansMembershipTable WHERE DeploymentId = @cluster AND Port = @port", port))!;

    /// <summary>When the membership table first shows the silo on <paramref name="port"/> as dead (status 6).</summary>
    public async Task<bool> IsDeclaredDeadAsync(int port) =>
        (long)(await SiloScalarAsync("SELECT count(*) FROM OrleansMembershipTable WHERE DeploymentId = @cluster AND Port = @port AND Status = 6", port))! > 0;

    /// <summary>One value the membership table says of this cluster's silo on <paramref name="port"/>.</summary>
    private async Task<object?> SiloScalarAsync(string sql, int port)
    {
        await using var connection = new NpgsqlConnection(Postgres.ConnectionStringFor("orleans_cluster"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("cluster", ClusterId);
        command.Parameters.AddWithValue("port", port);
        return await command.ExecuteScalarAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in Enumerable.Reverse(_silos))
        {
            await silo.DisposeAsync();
        }

        await Emulator.DisposeAsync();
        await Postgres.DisposeAsync();
        _data.Dispose();
    }
}
