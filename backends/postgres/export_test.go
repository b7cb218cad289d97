package postgres

// Statements returns every SQL text s may send, for tests that check
// that nothing else is sent.
func Statements[V any](s *Store[V]) []string { return s.sql.all() }
