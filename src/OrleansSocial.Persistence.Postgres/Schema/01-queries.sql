-- OrleansSocial cluster schema for PostgreSQL, part 1: the query catalog.
-- Orleans' ADO.NET providers read every statement they run from this table at start
-- ("SELECT QueryKey, QueryText FROM OrleansQuery") and bind parameters by name (@Name).
-- Written for this project from the providers' documented contract; applied idempotently.
CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64)   NOT NULL PRIMARY KEY,
    QueryText varchar(8000) NOT NULL
);
