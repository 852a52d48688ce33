using System.Reflection;
using Npgsql;

namespace OrleansSocial.Persistence.Postgres;

/// <summary>
/// Applies the cluster schema (embedded <c>Schema/*.sql</c>, in name order) in one transaction
/// under an advisory lock, so silos starting together neither race nor see half a schema.
/// Every statement is idempotent: running it again changes nothing but the stored query texts.
/// </summary>
public static class PostgresClusterSchema
{
    // Any constant shared by all silos: it names the lock, nothing else.
    private const long SchemaLock = 0x4F72_6C53_6F63_6C01;

    public static IReadOnlyList<(string Name, string Sql)> Scripts { get; } = Load();

    public static async Task ApplyAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({SchemaLock})", connection, transaction))
        {
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var (_, sql) in Scripts)
        {
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static List<(string, string)> Load()
    {
        var assembly = typeof(PostgresClusterSchema).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(name => name.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(name =>
            {
                using var stream = assembly.GetManifestResourceStream(name)!;
                using var reader = new StreamReader(stream);
                return (name, reader.ReadToEnd());
            })
            .ToList();
    }
}
