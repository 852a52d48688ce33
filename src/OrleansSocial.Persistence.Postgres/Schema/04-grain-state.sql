-- Part 4: grain state. A row per (service, grain type, grain id); Version is the etag the
-- provider checks on every write and clear. Writes always answer one row: the new version,
-- or NULL when the caller's etag was stale (the provider turns that into InconsistentStateException).
CREATE TABLE IF NOT EXISTS OrleansStorage
(
    GrainIdHash            integer       NOT NULL,
    GrainIdN0              bigint        NOT NULL,
    GrainIdN1              bigint        NOT NULL,
    GrainTypeHash          integer       NOT NULL,
    GrainTypeString        varchar(512)  NOT NULL,
    GrainIdExtensionString varchar(512)  NULL,
    ServiceId              varchar(150)  NOT NULL,
    PayloadBinary          bytea         NULL,
    ModifiedOn             timestamptz   NOT NULL,
    Version                integer       NULL
);

CREATE UNIQUE INDEX IF NOT EXISTS UX_OrleansStorage_Key ON OrleansStorage
    (GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, GrainTypeString, COALESCE(GrainIdExtensionString, ''), ServiceId);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('ReadFromStorageKey', '
SELECT PayloadBinary, Version
FROM OrleansStorage
WHERE GrainIdHash = @GrainIdHash::integer AND GrainTypeHash = @GrainTypeHash::integer
  AND GrainIdN0 = @GrainIdN0::bigint AND GrainIdN1 = @GrainIdN1::bigint
  AND GrainTypeString = @GrainTypeString::varchar
  AND COALESCE(GrainIdExtensionString, '''') = COALESCE(@GrainIdExtensionString::varchar, '''')
  AND ServiceId = @ServiceId::varchar;'),

('WriteToStorageKey', '
WITH updated AS (
    UPDATE OrleansStorage
    SET PayloadBinary = @PayloadBinary::bytea, ModifiedOn = now(), Version = Version + 1
    WHERE GrainIdHash = @GrainIdHash::integer AND GrainTypeHash = @GrainTypeHash::integer
      AND GrainIdN0 = @GrainIdN0::bigint AND GrainIdN1 = @GrainIdN1::bigint
      AND GrainTypeString = @GrainTypeString::varchar
      AND COALESCE(GrainIdExtensionString, '''') = COALESCE(@GrainIdExtensionString::varchar, '''')
      AND ServiceId = @ServiceId::varchar
      AND @GrainStateVersion::integer IS NOT NULL AND Version = @GrainStateVersion::integer
    RETURNING Version),
inserted AS (
    INSERT INTO OrleansStorage (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString, ServiceId, PayloadBinary, ModifiedOn, Version)
    SELECT @GrainIdHash::integer, @GrainIdN0::bigint, @GrainIdN1::bigint, @GrainTypeHash::integer, @GrainTypeString::varchar,
           @GrainIdExtensionString::varchar, @ServiceId::varchar, @PayloadBinary::bytea, now(), 1
    WHERE @GrainStateVersion::integer IS NULL
    ON CONFLICT DO NOTHING
    RETURNING Version)
SELECT (SELECT Version FROM updated UNION ALL SELECT Version FROM inserted LIMIT 1) AS NewGrainStateVersion;'),

('ClearStorageKey', '
WITH cleared AS (
    UPDATE OrleansStorage
    SET PayloadBinary = NULL, ModifiedOn = now(), Version = Version + 1
    WHERE GrainIdHash = @GrainIdHash::integer AND GrainTypeHash = @GrainTypeHash::integer
      AND GrainIdN0 = @GrainIdN0::bigint AND GrainIdN1 = @GrainIdN1::bigint
      AND GrainTypeString = @GrainTypeString::varchar
      AND COALESCE(GrainIdExtensionString, '''') = COALESCE(@GrainIdExtensionString::varchar, '''')
      AND ServiceId = @ServiceId::varchar
      AND @GrainStateVersion::integer IS NOT NULL AND Version = @GrainStateVersion::integer
    RETURNING Version)
SELECT (SELECT Version FROM cleared) AS NewGrainStateVersion;'),

('DeleteStorageKey', '
WITH deleted AS (
    DELETE FROM OrleansStorage
    WHERE GrainIdHash = @GrainIdHash::integer AND GrainTypeHash = @GrainTypeHash::integer
      AND GrainIdN0 = @GrainIdN0::bigint AND GrainIdN1 = @GrainIdN1::bigint
      AND GrainTypeString = @GrainTypeString::varchar
      AND COALESCE(GrainIdExtensionString, '''') = COALESCE(@GrainIdExtensionString::varchar, '''')
      AND ServiceId = @ServiceId::varchar
      AND @GrainStateVersion::integer IS NOT NULL AND Version = @GrainStateVersion::integer
    RETURNING Version)
SELECT (SELECT Version + 1 FROM deleted) AS NewGrainStateVersion;')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
