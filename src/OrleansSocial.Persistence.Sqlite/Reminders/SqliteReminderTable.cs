using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;
using OrleansSocial.Persistence.Sqlite.Storage;

namespace OrleansSocial.Persistence.Sqlite.Reminders;

/// <summary>
/// Orleans reminders in a SQLite table, so they survive a restart of the embedded profile.
/// Each row keeps the grain's uniform hash: a silo reads the reminders of its ring range
/// with a range query instead of scanning every row.
/// </summary>
internal sealed class SqliteReminderTable(SqliteDatabase database, IOptions<ClusterOptions> clusterOptions) : IReminderTable
{
    internal const string Schema = """
        CREATE TABLE IF NOT EXISTS orleans_reminders (
            service_id    TEXT    NOT NULL,
            grain_id      TEXT    NOT NULL,
            reminder_name TEXT    NOT NULL,
            grain_hash    INTEGER NOT NULL,
            start_at      TEXT    NOT NULL,
            period_ms     INTEGER NOT NULL,
            version       INTEGER NOT NULL,
            PRIMARY KEY (service_id, grain_id, reminder_name)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ix_orleans_reminders_hash ON orleans_reminders (service_id, grain_hash);
        """;

    private const string Columns = "grain_id, reminder_name, start_at, period_ms, version";

    private readonly string _serviceId = clusterOptions.Value.ServiceId;

    public Task StartAsync(CancellationToken cancellationToken = default) => database.EnsureSchemaAsync(Schema, cancellationToken);

    public Task<ReminderTableData> ReadRows(GrainId grainId) =>
        QueryAsync("grain_id = $grain", c => c.Parameters.AddWithValue("$grain", grainId.ToString()));

    public Task<ReminderTableData> ReadRows(uint begin, uint end) =>
        // The ring wraps: (begin, end] when begin < end, otherwise everything outside (end, begin].
        QueryAsync(
            begin < end ? "grain_hash > $begin AND grain_hash <= $end" : "(grain_hash > $begin OR grain_hash <= $end)",
            c =>
            {
                c.Parameters.AddWithValue("$begin", (long)begin);
                c.Parameters.AddWithValue("$end", (long)end);
            });

    public async Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName)
    {
        var rows = await QueryAsync("grain_id = $grain AND reminder_name = $name", c =>
        {
            c.Parameters.AddWithValue("$grain", grainId.ToString());
            c.Parameters.AddWithValue("$name", reminderName);
        });
        return rows.Reminders.FirstOrDefault();
    }

    public async Task<string?> UpsertRow(ReminderEntry entry)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO orleans_reminders (service_id, grain_id, reminder_name, grain_hash, start_at, period_ms, version)
            VALUES ($service, $grain, $name, $hash, $start, $period, 1)
            ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE SET
                start_at = excluded.start_at, period_ms = excluded.period_ms, version = version + 1
            RETURNING version
            """;
        command.Parameters.AddWithValue("$service", _serviceId);
        command.Parameters.AddWithValue("$grain", entry.GrainId.ToString());
        command.Parameters.AddWithValue("$name", entry.ReminderName);
        command.Parameters.AddWithValue("$hash", (long)entry.GrainId.GetUniformHashCode());
        command.Parameters.AddWithValue("$start", entry.StartAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$period", (long)entry.Period.TotalMilliseconds);
        var version = (long)(await command.ExecuteScalarAsync())!;
        return version.ToString(CultureInfo.InvariantCulture);
    }

    public async Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag)
    {
        if (!long.TryParse(eTag, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            return false;
        }

        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            DELETE FROM orleans_reminders
            WHERE service_id = $service AND grain_id = $grain AND reminder_name = $name AND version = $version
            """;
        command.Parameters.AddWithValue("$service", _serviceId);
        command.Parameters.AddWithValue("$grain", grainId.ToString());
        command.Parameters.AddWithValue("$name", reminderName);
        command.Parameters.AddWithValue("$version", version);
        return await command.ExecuteNonQueryAsync() == 1;
    }

    public async Task TestOnlyClearTable()
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM orleans_reminders WHERE service_id = $service";
        command.Parameters.AddWithValue("$service", _serviceId);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<ReminderTableData> QueryAsync(string where, Action<SqliteCommand> bind)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM orleans_reminders WHERE service_id = $service AND {where}";
        command.Parameters.AddWithValue("$service", _serviceId);
        bind(command);
        await using var reader = await command.ExecuteReaderAsync();
        var entries = new List<ReminderEntry>();
        while (await reader.ReadAsync())
        {
            entries.Add(new ReminderEntry
            {
                GrainId = GrainId.Parse(reader.GetString(0)),
                ReminderName = reader.GetString(1),
                StartAt = DateTime.Parse(reader.GetString(2), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                Period = TimeSpan.FromMilliseconds(reader.GetInt64(3)),
                ETag = reader.GetInt64(4).ToString(CultureInfo.InvariantCulture),
            });
        }

        return new ReminderTableData(entries);
    }
}
