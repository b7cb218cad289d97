-- The store's table in its own schema, sessions_pgbench, holding the
-- benchmark population: 10,000 live sessions whose IDs are the SHA-256 of
-- the row number (as int8send bytes) and whose values are the JSON codec's
-- encoding ('j' + JSON) of the workload's value for that number, about
-- 220 bytes. The DDL below is exactly Schema("sessions_pgbench.sessions");
-- a test keeps it so.
DROP SCHEMA IF EXISTS sessions_pgbench CASCADE;
CREATE SCHEMA sessions_pgbench;

CREATE TABLE IF NOT EXISTS "sessions_pgbench"."sessions" (
	id         bytea       NOT NULL PRIMARY KEY CHECK (octet_length(id) = 32),
	value      bytea       NOT NULL,
	owner      text        NOT NULL DEFAULT '',
	created_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL,
	version    bigint      NOT NULL CHECK (version > 0),
	persistent boolean     NOT NULL DEFAULT false
);
CREATE INDEX IF NOT EXISTS "sessions_owner_idx" ON "sessions_pgbench"."sessions" (owner, created_at DESC, id) WHERE owner <> '';
CREATE INDEX IF NOT EXISTS "sessions_expires_at_idx" ON "sessions_pgbench"."sessions" (expires_at);

INSERT INTO "sessions_pgbench"."sessions" (id, value, owner, created_at, expires_at, version, persistent)
SELECT sha256(int8send(i)),
	convert_to('j{"UserID":"usr_' || lpad(i::text, 8, '0')
		|| '","Roles":["customer","beta-tester"],"Cart":[{"SKU":"SKU-100001","Qty":1},{"SKU":"SKU-200002","Qty":2},{"SKU":"SKU-300003","Qty":3}],"CSRF":"'
		|| rtrim(translate(encode(sha256(convert_to('csrf-' || i, 'UTF8')), 'base64'), '+/', '-_'), '=')
		|| '","Visits":0}', 'UTF8'),
	'', now(), now() + interval '1 day', 1, false
FROM generate_series(1, 10000) AS i;

VACUUM ANALYZE "sessions_pgbench"."sessions";
