using Npgsql;

namespace OrleansSocial.Benchmarks;

/// <summary>
/// What a PostgreSQL server spent its time on, by statement, with tenant schemas folded into one
/// (<c>T</c>), from <c>pg_stat_statements</c>. Only when <c>BENCH_PG_STATEMENTS=1</c>, on a server
/// started with the module: <c>PG_SERVER_OPTIONS=" -c shared_preload_libraries=pg_stat_statements
/// -c pg_stat_statements.max=30000 -c pg_stat_statements.track_planning=on"</c> (planning is timed too,
/// which costs the server a little).
/// </summary>
internal static class ServerStatements
{
    public static bool Wanted => Environment.GetEnvironmentVariable("BENCH_PG_STATEMENTS") is { Length: > 0 };

    /// <summary>Starts counting from now.</summary>
    public static async Task ResetAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset();", connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The statements that took the most time since the reset: calls, execution and planning milliseconds.</summary>
    public static async Task PrintAsync(string connectionString, int top = 40)
    {
        const string sql = """
            SELECT regexp_replace(regexp_replace(query, '"tenant_[^"]*"', 'T', 'g'), '\$[0-9]+', '$', 'g') AS q, sum(calls),
                   round(sum(total_exec_time)::numeric, 0), round(sum(total_plan_time)::numeric, 0)
            FROM pg_stat_statements GROUP BY 1 ORDER BY sum(total_exec_time + total_plan_time) DESC LIMIT @top
            """;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("top", top);
        await using var reader = await command.ExecuteReaderAsync();
        Console.WriteLine("  server time by statement since the kill (calls, ms executing, ms planning):");
        while (await reader.ReadAsync())
        {
            var query = reader.GetString(0).ReplaceLineEndings(" ");
            Console.WriteLine($"    {reader.GetValue(1),8} {reader.GetValue(2),7} {reader.GetValue(3),7}  {query[..Math.Min(160, query.Length)]}");
        }
    }
}
