-- The store's Load: one live row by primary key.
\set n random(1, 10000)
SELECT value, owner, created_at, expires_at, version, persistent
FROM "sessions_pgbench"."sessions" WHERE id = sha256(int8send(:n)) AND expires_at > now();
