using Npgsql;

namespace OrleansSocial.Benchmarks;

/// <summary>
/// Samples <c>pg_stat_activity</c> twice a second and keeps the highest count of client backends:
/// how many connections database-per-tenant really holds open, against the worst case its pool
/// settings allow.
/// </summary>
internal sealed class ServerConnections : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;
    private int _peak;

    private ServerConnections(string connectionString) => _sampling = SampleAsync(connectionString, _stop.Token);

    public int Peak => Volatile.Read(ref _peak);

    public static ServerConnections Watch(string connectionString) => new(connectionString);

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _sampling.Wait();
        }
        catch (AggregateException)
        {
            // Cancelled while sampling: the peak so far stands.
        }

        _stop.Dispose();
    }

    private async Task SampleAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'", connection);
            var count = (int)(long)(await command.ExecuteScalarAsync(cancellationToken))!;
            if (count > _peak)
            {
                Volatile.Write(ref _peak, count);
            }
        }
    }
}
