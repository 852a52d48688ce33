-- Part 2: cluster membership. One version row per cluster (DeploymentId) is the table's
-- etag: every insert or update of a silo row must name the version it read, and bumps it.
CREATE TABLE IF NOT EXISTS OrleansMembershipVersionTable
(
    DeploymentId varchar(150) NOT NULL PRIMARY KEY,
    ChangedAt    timestamptz  NOT NULL DEFAULT now(),
    Version      integer      NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS OrleansMembershipTable
(
    DeploymentId varchar(150)  NOT NULL REFERENCES OrleansMembershipVersionTable (DeploymentId),
    Address      varchar(45)   NOT NULL,
    Port         integer       NOT NULL,
    Generation   integer       NOT NULL,
    SiloName     varchar(150)  NOT NULL,
    HostName     varchar(150)  NOT NULL,
    Status       integer       NOT NULL,
    ProxyPort    integer       NULL,
    SuspectTimes varchar(8000) NULL,
    StartTime    timestamptz   NOT NULL,
    IAmAliveTime timestamptz   NOT NULL,
    PRIMARY KEY (DeploymentId, Address, Port, Generation)
);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('InsertMembershipVersionKey', '
WITH inserted AS (
    INSERT INTO OrleansMembershipVersionTable (DeploymentId) VALUES (@DeploymentId::varchar)
    ON CONFLICT (DeploymentId) DO NOTHING
    RETURNING 1)
SELECT EXISTS (SELECT 1 FROM inserted);'),

('InsertMembershipKey', '
WITH version AS (
    UPDATE OrleansMembershipVersionTable SET Version = Version + 1, ChangedAt = now()
    WHERE DeploymentId = @DeploymentId::varchar AND Version = @Version::integer
    RETURNING DeploymentId),
member AS (
    INSERT INTO OrleansMembershipTable (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, StartTime, IAmAliveTime)
    SELECT DeploymentId, @Address::varchar, @Port::integer, @Generation::integer, @SiloName::varchar, @HostName::varchar,
           @Status::integer, @ProxyPort::integer, @StartTime::timestamptz, @IAmAliveTime::timestamptz
    FROM version
    ON CONFLICT DO NOTHING
    RETURNING 1)
SELECT EXISTS (SELECT 1 FROM member);'),

('UpdateMembershipKey', '
WITH version AS (
    UPDATE OrleansMembershipVersionTable SET Version = Version + 1, ChangedAt = now()
    WHERE DeploymentId = @DeploymentId::varchar AND Version = @Version::integer
    RETURNING DeploymentId),
member AS (
    UPDATE OrleansMembershipTable m
    SET Status = @Status::integer, SuspectTimes = @SuspectTimes::varchar, IAmAliveTime = @IAmAliveTime::timestamptz
    FROM version
    WHERE m.DeploymentId = version.DeploymentId
      AND m.Address = @Address::varchar AND m.Port = @Port::integer AND m.Generation = @Generation::integer
    RETURNING 1)
SELECT EXISTS (SELECT 1 FROM member);'),

('UpdateIAmAlivetimeKey', '
UPDATE OrleansMembershipTable
SET IAmAliveTime = GREATEST(IAmAliveTime, @IAmAliveTime::timestamptz)
WHERE DeploymentId = @DeploymentId::varchar
  AND Address = @Address::varchar AND Port = @Port::integer AND Generation = @Generation::integer;'),

('MembershipReadRowKey', '
SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
       m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable v
LEFT JOIN OrleansMembershipTable m
       ON m.DeploymentId = v.DeploymentId
      AND m.Address = @Address::varchar AND m.Port = @Port::integer AND m.Generation = @Generation::integer
WHERE v.DeploymentId = @DeploymentId::varchar;'),

('MembershipReadAllKey', '
SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
       m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable v
LEFT JOIN OrleansMembershipTable m ON m.DeploymentId = v.DeploymentId
WHERE v.DeploymentId = @DeploymentId::varchar;'),

('GatewaysQueryKey', '
SELECT Address, ProxyPort, Generation
FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId::varchar AND Status = @Status::integer AND ProxyPort > 0;'),

('DeleteMembershipTableEntriesKey', '
DELETE FROM OrleansMembershipTable WHERE DeploymentId = @DeploymentId::varchar;
DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId::varchar;'),

-- Dead silos (status 6) that have not been heard of since the cut-off and are suspected by nobody.
('CleanupDefunctSiloEntriesKey', '
DELETE FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId::varchar AND Status = 6
  AND IAmAliveTime < @IAmAliveTime::timestamptz AND StartTime < @IAmAliveTime::timestamptz
  AND COALESCE(SuspectTimes, '''') = '''';'),

-- One dead silo's row, only if it still holds the values the caller saw.
('CleanupDefunctSiloEntryKey', '
DELETE FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId::varchar AND Status = 6
  AND Address = @Address::varchar AND Port = @Port::integer AND Generation = @Generation::integer
  AND IAmAliveTime = @IAmAliveTime::timestamptz AND StartTime = @StartTime::timestamptz
  AND COALESCE(SuspectTimes, '''') = COALESCE(@SuspectTimes::varchar, '''');')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
