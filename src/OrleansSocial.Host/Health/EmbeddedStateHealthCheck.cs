using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OrleansSocial.Host.Health;

/// <summary>Ready while the embedded Orleans state file answers a query.</summary>
internal sealed class EmbeddedStateHealthCheck(string databasePath) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly }.ToString();
            await using var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM sqlite_master";
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy("Embedded Orleans state answers.");
        }
        catch (SqliteException exception)
        {
            return HealthCheckResult.Unhealthy($"Embedded Orleans state does not answer (SQLite error {exception.SqliteErrorCode}).");
        }
    }
}
