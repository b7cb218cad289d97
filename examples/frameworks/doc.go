// Package frameworks shows the sessions library on HTTP stacks other than
// bare net/http: fasthttp, which has its own request and response types,
// and Echo, which wraps net/http. Each handler counts a visitor's visits
// in a session; the lines marked "glue" are all that is specific to the
// stack: reading the Cookie header in, applying the Manager's headers out.
//
// The module is separate from the library's, so neither framework ever
// becomes a dependency of the library.
package frameworks

import (
	"context"
	"strconv"

	"github.com/typedsession/sessions"
)

// Visit is the session value: how many requests the visitor made.
type Visit struct{ Count int }

// countVisit loads the visitor's session from the request's Cookie header
// values, counts this visit and returns the session to send back with its
// new count. It knows nothing of the HTTP stack.
func countVisit(ctx context.Context, m *sessions.Manager[Visit], cookies ...string) (sessions.Session[Visit], string, error) {
	s, err := m.OfHeaderOrCreate(ctx, Visit{}, cookies...)
	if err != nil {
		return s, "", err
	}
	s, err = m.Update(ctx, s, func(v Visit) (Visit, error) { v.Count++; return v, nil })
	if err != nil {
		return s, "", err
	}
	return s, "visit " + strconv.Itoa(s.Value().Count), nil
}
