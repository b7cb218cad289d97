package postgres

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
)

// MaxTableNameLen (48) bounds the table part of a table name, in bytes:
// index names add up to 15 bytes to it and PostgreSQL truncates identifiers
// longer than 63 bytes, which could make two tables' indexes collide.
const MaxTableNameLen = maxIdentLen - len(expiresIndexSuffix)

// maxIdentLen is PostgreSQL's identifier limit (NAMEDATALEN - 1).
const maxIdentLen = 63

// Suffixes of the index names derived from the table name.
const (
	ownerIndexSuffix   = "_owner_idx"
	expiresIndexSuffix = "_expires_at_idx"
)

// tableName is a parsed, validated table name.
type tableName struct {
	schema, table string // schema is "" when unqualified
}

// parseTableName splits name into an optional schema and a table and
// checks both parts.
func parseTableName(name string) (tableName, error) {
	parts := strings.Split(name, ".")
	var tn tableName
	switch len(parts) {
	case 1:
		tn.table = parts[0]
	case 2:
		tn.schema, tn.table = parts[0], parts[1]
		if err := checkIdent("schema", tn.schema, maxIdentLen); err != nil {
			return tableName{}, fmt.Errorf("postgres: table name %q: %w", name, err)
		}
	default:
		return tableName{}, fmt.Errorf("postgres: table name %q: want table or schema.table", name)
	}
	if err := checkIdent("table", tn.table, MaxTableNameLen); err != nil {
		return tableName{}, fmt.Errorf("postgres: table name %q: %w", name, err)
	}
	return tn, nil
}

// checkIdent checks one part of a table name. Quoting makes any other
// character safe; NUL is refused because quoting would silently drop it.
func checkIdent(what, s string, maxLen int) error {
	switch {
	case s == "":
		return fmt.Errorf("empty %s name", what)
	case len(s) > maxLen:
		return fmt.Errorf("%s name longer than %d bytes", what, maxLen)
	case !utf8.ValidString(s):
		return fmt.Errorf("%s name is not valid UTF-8", what)
	case strings.ContainsRune(s, 0):
		return fmt.Errorf("%s name contains NUL", what)
	}
	return nil
}

// ident returns the quoted, possibly schema-qualified table identifier.
func (tn tableName) ident() pgx.Identifier {
	if tn.schema == "" {
		return pgx.Identifier{tn.table}
	}
	return pgx.Identifier{tn.schema, tn.table}
}

// indexIdent returns the quoted name of one of the table's indexes. Index
// names cannot be qualified: an index lives in its table's schema.
func (tn tableName) indexIdent(suffix string) pgx.Identifier {
	return pgx.Identifier{tn.table + suffix}
}

// Schema returns the SQL that creates the table named table (as in
// [WithTable]; "" means [DefaultTable]) and its indexes, for deployments
// that run their own migrations. Every statement is idempotent. It is
// exactly what [Store.Migrate] runs, minus the advisory lock Migrate
// takes around it.
func Schema(table string) (string, error) {
	if table == "" {
		table = DefaultTable
	}
	tn, err := parseTableName(table)
	if err != nil {
		return "", err
	}
	return newStatements(tn).schema, nil
}

// Migrate creates the store's table and indexes if they do not exist (the
// SQL of [Schema]), holding a transaction-scoped advisory lock so that app
// servers starting together do not race. It changes nothing that exists,
// so it is safe to call at every start. The table's schema must exist.
func (s *Store[V]) Migrate(ctx context.Context) error {
	// Without arguments pgx sends this over the simple protocol, which
	// runs the statements as one implicit transaction: the advisory lock
	// is held until the last index exists.
	if _, err := s.pool.Exec(ctx, s.sql.migrate); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	return nil
}
