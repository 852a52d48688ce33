using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Storage;

namespace OrleansSocial.Persistence.Sqlite.Storage;

/// <summary>
/// Grain state as rows of one SQLite table, keyed by service, provider, state name and grain.
/// The ETag is a row version: a write or clear that names an older version than the row
/// holds is refused with <see cref="InconsistentStateException"/>, as Orleans expects.
/// </summary>
internal sealed partial class SqliteGrainStorage(
    string name,
    string serviceId,
    SqliteDatabase database,
    IGrainStorageSerializer serializer,
    ILogger<SqliteGrainStorage> logger) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    internal const string Schema = """
        CREATE TABLE IF NOT EXISTS orleans_grain_state (
            service_id  TEXT    NOT NULL,
            provider    TEXT    NOT NULL,
            state_name  TEXT    NOT NULL,
            grain_id    TEXT    NOT NULL,
            version     INTEGER NOT NULL,
            payload     BLOB    NOT NULL,
            modified_at TEXT    NOT NULL,
            PRIMARY KEY (service_id, provider, state_name, grain_id)
        ) WITHOUT ROWID;
        """;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(
            $"{nameof(SqliteGrainStorage)}-{name}",
            ServiceLifecycleStage.ApplicationServices,
            ct => database.EnsureSchemaAsync(Schema, ct));

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var command = Command(connection, "SELECT version, payload FROM orleans_grain_state WHERE " + KeyMatch, stateName, grainId);
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }

        var version = reader.GetInt64(0);
        var payload = (byte[])reader.GetValue(1);
        grainState.State = serializer.Deserialize<T>(new BinaryData(payload));
        grainState.ETag = ToETag(version);
        grainState.RecordExists = true;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var payload = serializer.Serialize(grainState.State).ToArray();
        await using var connection = await database.OpenAsync(CancellationToken.None);
        long newVersion;
        int affected;
        if (grainState.ETag is null)
        {
            newVersion = 1;
            await using var insert = Command(connection, """
                INSERT INTO orleans_grain_state (service_id, provider, state_name, grain_id, version, payload, modified_at)
                VALUES ($service, $provider, $state, $grain, 1, $payload, $now)
                ON CONFLICT DO NOTHING
                """, stateName, grainId);
            insert.Parameters.AddWithValue("$payload", payload);
            affected = await insert.ExecuteNonQueryAsync();
        }
        else
        {
            var expected = FromETag(grainState.ETag);
            newVersion = expected + 1;
            await using var update = Command(connection, """
                UPDATE orleans_grain_state SET version = version + 1, payload = $payload, modified_at = $now
                WHERE 
                """ + KeyMatch + " AND version = $expected", stateName, grainId);
            update.Parameters.AddWithValue("$payload", payload);
            update.Parameters.AddWithValue("$expected", expected);
            affected = await update.ExecuteNonQueryAsync();
        }

        if (affected == 0)
        {
            throw await ConflictAsync(connection, "write", stateName, grainId, grainState.ETag);
        }

        grainState.ETag = ToETag(newVersion);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        if (grainState.ETag is not null)
        {
            await using var delete = Command(connection, "DELETE FROM orleans_grain_state WHERE " + KeyMatch + " AND version = $expected", stateName, grainId);
            delete.Parameters.AddWithValue("$expected", FromETag(grainState.ETag));
            if (await delete.ExecuteNonQueryAsync() == 0)
            {
                throw await ConflictAsync(connection, "clear", stateName, grainId, grainState.ETag);
            }
        }
        else if (await ReadVersionAsync(connection, stateName, grainId) is not null)
        {
            // A caller that never read the row must not erase someone else's write.
            throw await ConflictAsync(connection, "clear", stateName, grainId, grainState.ETag);
        }

        grainState.State = Activator.CreateInstance<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    private const string KeyMatch = "service_id = $service AND provider = $provider AND state_name = $state AND grain_id = $grain";

    private SqliteCommand Command(SqliteConnection connection, string sql, string stateName, GrainId grainId)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$service", serviceId);
        command.Parameters.AddWithValue("$provider", name);
        command.Parameters.AddWithValue("$state", stateName);
        command.Parameters.AddWithValue("$grain", grainId.ToString());
        command.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        return command;
    }

    private async Task<long?> ReadVersionAsync(SqliteConnection connection, string stateName, GrainId grainId)
    {
        await using var command = Command(connection, "SELECT version FROM orleans_grain_state WHERE " + KeyMatch, stateName, grainId);
        return await command.ExecuteScalarAsync() is long version ? version : null;
    }

    private async Task<InconsistentStateException> ConflictAsync(
        SqliteConnection connection, string operation, string stateName, GrainId grainId, string? expectedETag)
    {
        var stored = await ReadVersionAsync(connection, stateName, grainId);
        var storedETag = stored is { } v ? ToETag(v) : "(none)";
        LogConflict(logger, operation, name, stateName, grainId, expectedETag ?? "(none)", storedETag);
        return new InconsistentStateException(
            $"SQLite grain storage '{name}': {operation} of state '{stateName}' for {grainId} expected version {expectedETag ?? "(none)"} but the store holds {storedETag}.",
            storedETag,
            expectedETag ?? "(none)");
    }

    private static string ToETag(long version) => version.ToString(CultureInfo.InvariantCulture);

    private static long FromETag(string etag) =>
        long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? version
            : throw new InconsistentStateException($"ETag '{etag}' was not issued by SQLite grain storage.");

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning,
        Message = "SQLite grain storage {Provider}: {Operation} conflict on state {StateName} of {GrainId}: expected version {Expected}, stored {Stored}")]
    private static partial void LogConflict(ILogger logger, string operation, string provider, string stateName, GrainId grainId, string expected, string stored);
}
