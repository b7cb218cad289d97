-- The store's Create: a new row under a fresh random ID, taking over the
-- row of an expired session should the ID exist.
INSERT INTO "sessions_pgbench"."sessions" AS s (id, value, owner, created_at, expires_at, version, persistent)
VALUES (sha256(uuid_send(gen_random_uuid())),
	convert_to('j{"UserID":"usr_00010001","Roles":["customer","beta-tester"],"Cart":[{"SKU":"SKU-100001","Qty":1},{"SKU":"SKU-200002","Qty":2},{"SKU":"SKU-300003","Qty":3}],"CSRF":"XWXJOOraZWJF7nB1zIcYSwlWs_14lvERXU0HnmzKbms","Visits":0}', 'UTF8'),
	'', now(), now() + interval '30 minutes', 1, false)
ON CONFLICT (id) DO UPDATE SET
	value = EXCLUDED.value, owner = EXCLUDED.owner, created_at = EXCLUDED.created_at,
	expires_at = EXCLUDED.expires_at, version = 1, persistent = EXCLUDED.persistent
WHERE s.expires_at <= now();
