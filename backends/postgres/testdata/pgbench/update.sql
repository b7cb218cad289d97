-- A bare write of the shape the store's Replace performs: new value,
-- expiry and version of one live row by primary key (without the
-- version check and the "present" probe that Replace adds).
\set n random(1, 10000)
UPDATE "sessions_pgbench"."sessions"
SET value = value, expires_at = now() + interval '30 minutes', version = version + 1
WHERE id = sha256(int8send(:n)) AND expires_at > now();
