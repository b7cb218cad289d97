package postgres

import "strings"

// statements holds every SQL text the store sends. They are built once, by
// newStatements, from constant templates and the quoted table name, and
// never change: session data only ever travels as arguments. A test
// enforces both (see sqlsafety_test.go).
type statements struct {
	schema  string // the DDL of Schema
	migrate string // schema under an advisory lock

	create, load, replace, touch string
	deleteAny, deleteIf          string
	listOwner, deleteOwner       string
	deleteExpired                string
}

// newStatements builds the store's statements for table. It is the only
// place SQL text is made, and the table name is its only input.
func newStatements(table tableName) statements {
	r := strings.NewReplacer(
		"{table}", table.ident().Sanitize(),
		"{owner_idx}", table.indexIdent(ownerIndexSuffix).Sanitize(),
		"{expires_idx}", table.indexIdent(expiresIndexSuffix).Sanitize(),
	)
	schema := r.Replace(schemaSQL)
	return statements{
		schema:        schema,
		migrate:       migrateLockSQL + schema,
		create:        r.Replace(createSQL),
		load:          r.Replace(loadSQL),
		replace:       r.Replace(replaceSQL),
		touch:         r.Replace(touchSQL),
		deleteAny:     r.Replace(deleteAnySQL),
		deleteIf:      r.Replace(deleteIfSQL),
		listOwner:     r.Replace(listOwnerSQL),
		deleteOwner:   r.Replace(deleteOwnerSQL),
		deleteExpired: r.Replace(deleteExpiredSQL),
	}
}

// all returns every statement, for tests.
func (st *statements) all() []string {
	return []string{
		st.schema, st.migrate, st.create, st.load, st.replace, st.touch,
		st.deleteAny, st.deleteIf, st.listOwner, st.deleteOwner, st.deleteExpired,
	}
}

// The templates. {table} is the quoted table name; {owner_idx} and
// {expires_idx} are the quoted index names.
//
// Liveness is always decided by a now passed in as an argument, never by
// now() or CURRENT_TIMESTAMP: the Manager's clock is the only clock (see
// the package documentation). A row is live while now < expires_at.
const (
	// schemaSQL creates the table. owner is '' for sessions without one,
	// so the owner index can leave them out. The owner index serves
	// ListOwner's order (newest first, ties by ID) and DeleteOwner; the
	// expiry index serves the sweeper. Only the IDs (SHA-256 of tokens),
	// never tokens, are stored.
	schemaSQL = `CREATE TABLE IF NOT EXISTS {table} (
	id         bytea       NOT NULL PRIMARY KEY CHECK (octet_length(id) = 32),
	value      bytea       NOT NULL,
	owner      text        NOT NULL DEFAULT '',
	created_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL,
	version    bigint      NOT NULL CHECK (version > 0),
	persistent boolean     NOT NULL DEFAULT false
);
CREATE INDEX IF NOT EXISTS {owner_idx} ON {table} (owner, created_at DESC, id) WHERE owner <> '';
CREATE INDEX IF NOT EXISTS {expires_idx} ON {table} (expires_at);
`

	// migrateLockSQL serialises concurrent migrations. The key is one
	// constant for every table ("sessions" in ASCII): migrations of
	// different tables merely take turns.
	migrateLockSQL = "SELECT pg_advisory_xact_lock(8315179226536832627);\n"

	// createSQL inserts a row, or takes over the row of an expired
	// session under the same ID. A live row makes the WHERE false, so no
	// row is affected: that is ErrConflict.
	// $1 id, $2 value, $3 owner, $4 created_at, $5 expires_at,
	// $6 persistent, $7 now.
	createSQL = `INSERT INTO {table} AS s (id, value, owner, created_at, expires_at, version, persistent)
VALUES ($1, $2, $3, $4, $5, 1, $6)
ON CONFLICT (id) DO UPDATE SET
	value = EXCLUDED.value, owner = EXCLUDED.owner, created_at = EXCLUDED.created_at,
	expires_at = EXCLUDED.expires_at, version = 1, persistent = EXCLUDED.persistent
WHERE s.expires_at <= $7`

	// loadSQL reads a live row. $1 id, $2 now.
	loadSQL = `SELECT value, owner, created_at, expires_at, version, persistent
FROM {table} WHERE id = $1 AND expires_at > $2`

	// replaceSQL updates a live row of the expected version and, in the
	// same round trip, tells why it did not: "present" is false when no
	// live row is there (ErrNotFound), true when its version differs
	// (ErrConflict). Both parts read the statement's snapshot; if another
	// transaction changes the row first, the UPDATE re-checks the version
	// on the newest row and misses, while "present" still sees the row:
	// a conflict, which is what happened.
	// $1 id, $2 now, $3 expected version, $4 value, $5 owner,
	// $6 created_at, $7 expires_at, $8 new version, $9 persistent.
	replaceSQL = `WITH updated AS (
	UPDATE {table} AS s SET
		value = $4, owner = $5, created_at = $6, expires_at = $7, version = $8, persistent = $9
	WHERE s.id = $1 AND s.expires_at > $2 AND s.version = $3
	RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM updated) AS replaced,
	EXISTS (SELECT 1 FROM {table} WHERE id = $1 AND expires_at > $2) AS present`

	// touchSQL moves the expiry of a live row only. $1 id, $2 now,
	// $3 expires_at.
	touchSQL = `UPDATE {table} SET expires_at = $3 WHERE id = $1 AND expires_at > $2`

	// deleteAnySQL deletes a row whatever its version. $1 id.
	deleteAnySQL = `DELETE FROM {table} WHERE id = $1`

	// deleteIfSQL deletes a row of the expected version and tells an
	// absent row from another version in the same round trip, as
	// replaceSQL does. Delete takes no now, so an expired row that is
	// still stored counts as present. $1 id, $2 expected version.
	deleteIfSQL = `WITH deleted AS (
	DELETE FROM {table} WHERE id = $1 AND version = $2
	RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM deleted) AS deleted,
	EXISTS (SELECT 1 FROM {table} WHERE id = $1) AS present`

	// listOwnerSQL lists an owner's live rows, newest first. The
	// redundant owner <> '' lets a generic plan of this prepared
	// statement use the partial owner index, which it could not prove
	// applicable from a parameter. $1 owner, $2 now, $3 limit.
	listOwnerSQL = `SELECT id, value, created_at, expires_at, version, persistent
FROM {table}
WHERE owner = $1 AND owner <> '' AND expires_at > $2
ORDER BY created_at DESC, id
LIMIT $3`

	// deleteOwnerSQL deletes all of an owner's rows but one, expired
	// ones included, and counts those that were live: the sessions that
	// ended. $1 owner, $2 the ID to keep, $3 now.
	deleteOwnerSQL = `WITH deleted AS (
	DELETE FROM {table} WHERE owner = $1 AND owner <> '' AND id <> $2
	RETURNING expires_at
)
SELECT count(*) FILTER (WHERE expires_at > $3) FROM deleted`

	// deleteExpiredSQL deletes one bounded batch of expired rows. SKIP
	// LOCKED lets concurrent sweepers (one per app server) share the
	// work instead of queueing on each other's row locks, and leaves rows
	// that a request is writing alone. $1 cutoff, $2 limit.
	deleteExpiredSQL = `DELETE FROM {table} WHERE id IN (
	SELECT id FROM {table} WHERE expires_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED
)`
)
