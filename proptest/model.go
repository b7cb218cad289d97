package proptest

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/typedsession/sessions"
)

type (
	record = sessions.Record[Value]
	entry  = sessions.Entry[Value]
)

// cloneValue returns a deep copy of v. It is a function, not a method, so
// that Value keeps no Clone method.
func cloneValue(v Value) Value {
	return Value{Counter: v.Counter, Tags: slices.Clone(v.Tags), Attrs: maps.Clone(v.Attrs)}
}

// cloneRecord returns rec with a deep copy of its value.
func cloneRecord(rec record) record {
	rec.Value = cloneValue(rec.Value)
	return rec
}

// equalValue reports whether a and b hold the same data; nil and empty
// slices and maps are equal.
func equalValue(a, b Value) bool {
	return a.Counter == b.Counter && slices.Equal(a.Tags, b.Tags) && maps.Equal(a.Attrs, b.Attrs)
}

// scribble overwrites the slice elements and map entries of v in place,
// so a store that kept them shows it on its next read.
func scribble(v Value) {
	for i := range v.Tags {
		v.Tags[i] = "scribbled"
	}
	for k := range v.Attrs {
		v.Attrs[k] = "scribbled"
	}
	if v.Attrs != nil {
		v.Attrs["scribbled"] = "scribbled"
	}
}

// sameInstant reports whether a and b are the same instant at the
// millisecond precision the kit writes.
func sameInstant(a, b time.Time) bool {
	return a.Truncate(time.Millisecond).Equal(b.Truncate(time.Millisecond))
}

// diffRecord describes how got differs from want, or returns "".
func diffRecord(got, want record) string {
	var d []string
	if !equalValue(got.Value, want.Value) {
		d = append(d, fmt.Sprintf("Value %+v, want %+v", got.Value, want.Value))
	}
	if !sameInstant(got.CreatedAt, want.CreatedAt) {
		d = append(d, fmt.Sprintf("CreatedAt %v, want %v", got.CreatedAt, want.CreatedAt))
	}
	if !sameInstant(got.ExpiresAt, want.ExpiresAt) {
		d = append(d, fmt.Sprintf("ExpiresAt %v, want %v", got.ExpiresAt, want.ExpiresAt))
	}
	if got.Owner != want.Owner {
		d = append(d, fmt.Sprintf("Owner %q, want %q", got.Owner, want.Owner))
	}
	if got.Version != want.Version {
		d = append(d, fmt.Sprintf("Version %d, want %d", got.Version, want.Version))
	}
	if got.Persistent != want.Persistent {
		d = append(d, fmt.Sprintf("Persistent %t, want %t", got.Persistent, want.Persistent))
	}
	return strings.Join(d, "; ")
}

// outcome names the class of err: nil, one of the outcome sentinels, or
// anything else.
func outcome(err error) string {
	switch {
	case err == nil:
		return "nil"
	case errors.Is(err, sessions.ErrNotFound):
		return "ErrNotFound"
	case errors.Is(err, sessions.ErrConflict):
		return "ErrConflict"
	}
	return fmt.Sprintf("unexpected error %q", err)
}

// expectOutcome returns an error unless err is in the class of one of want
// (nil, sessions.ErrNotFound or sessions.ErrConflict).
func expectOutcome(err error, want ...error) error {
	got := outcome(err)
	names := make([]string, len(want))
	for i, w := range want {
		names[i] = outcome(w)
		if got == names[i] {
			return nil
		}
	}
	return fmt.Errorf("got %s, want %s", got, strings.Join(names, " or "))
}

// model is the reference the state machine checks a backend against. It
// keeps every record the backend may hold: the live ones it must hold and
// expired ones it may still hold (see the package documentation for what
// is accepted about those). Each method takes the backend's answer to one
// call, returns an error if the contract forbids that answer, and updates
// the model to what the answer shows happened.
type model struct {
	recs map[sessions.ID]record
}

func newModel() *model { return &model{recs: make(map[sessions.ID]record)} }

// live returns the record under id if it is live at now.
func (m *model) live(id sessions.ID, now time.Time) (record, bool) {
	rec, ok := m.recs[id]
	if !ok || !rec.Live(now) {
		return record{}, false
	}
	return rec, true
}

// liveIDs returns the IDs of the records live at now.
func (m *model) liveIDs(now time.Time) []sessions.ID {
	var ids []sessions.ID
	for id, rec := range m.recs {
		if rec.Live(now) {
			ids = append(ids, id)
		}
	}
	return ids
}

// Create checks the answer to Create(id, rec, now).
func (m *model) Create(id sessions.ID, rec record, now time.Time, got error) error {
	if _, ok := m.live(id, now); ok {
		return expectOutcome(got, sessions.ErrConflict)
	}
	if err := expectOutcome(got, nil); err != nil {
		return err
	}
	m.recs[id] = cloneRecord(rec)
	return nil
}

// Load checks the answer to Load(id, now).
func (m *model) Load(id sessions.ID, now time.Time, got record, gotErr error) error {
	want, ok := m.live(id, now)
	if !ok {
		return expectOutcome(gotErr, sessions.ErrNotFound)
	}
	if err := expectOutcome(gotErr, nil); err != nil {
		return err
	}
	if d := diffRecord(got, want); d != "" {
		return errors.New(d)
	}
	return nil
}

// Replace checks the answer to Replace(id, ifVersion, rec, now).
func (m *model) Replace(id sessions.ID, ifVersion uint64, rec record, now time.Time, got error) error {
	cur, ok := m.live(id, now)
	switch {
	case !ok:
		return expectOutcome(got, sessions.ErrNotFound)
	case cur.Version != ifVersion:
		return expectOutcome(got, sessions.ErrConflict)
	}
	if err := expectOutcome(got, nil); err != nil {
		return err
	}
	m.recs[id] = cloneRecord(rec)
	return nil
}

// Delete checks the answer to Delete(id, ifVersion). Delete takes no now,
// so for a record that expired the model accepts ErrNotFound as well as
// the answer a live record would give.
func (m *model) Delete(id sessions.ID, ifVersion uint64, now time.Time, got error) error {
	cur, stored := m.recs[id]
	if ifVersion == 0 {
		delete(m.recs, id)
		return expectOutcome(got, nil)
	}
	var err error
	switch {
	case !stored:
		err = expectOutcome(got, sessions.ErrNotFound)
	case cur.Live(now) && cur.Version == ifVersion:
		err = expectOutcome(got, nil)
	case cur.Live(now):
		err = expectOutcome(got, sessions.ErrConflict)
	case cur.Version == ifVersion:
		err = expectOutcome(got, nil, sessions.ErrNotFound)
	default:
		err = expectOutcome(got, sessions.ErrConflict, sessions.ErrNotFound)
	}
	if err == nil && !errors.Is(got, sessions.ErrConflict) {
		delete(m.recs, id)
	}
	return err
}

// Touch checks the answer to Touch(id, expiresAt, now).
func (m *model) Touch(id sessions.ID, expiresAt, now time.Time, got error) error {
	cur, ok := m.live(id, now)
	if !ok {
		return expectOutcome(got, sessions.ErrNotFound)
	}
	if err := expectOutcome(got, nil); err != nil {
		return err
	}
	cur.ExpiresAt = expiresAt
	m.recs[id] = cur
	return nil
}

// owned returns the entries of owner that are live at now, newest first.
func (m *model) owned(owner string, now time.Time) []entry {
	var es []entry
	for id, rec := range m.recs {
		if rec.Owner == owner && rec.Live(now) {
			es = append(es, entry{ID: id, Record: rec})
		}
	}
	slices.SortFunc(es, func(a, b entry) int { return b.Record.CreatedAt.Compare(a.Record.CreatedAt) })
	return es
}

// ListOwner checks the answer to ListOwner(owner, now, limit): exactly the
// limit newest live records of owner, newest first, where records with
// equal CreatedAt may come in any order.
func (m *model) ListOwner(owner string, now time.Time, limit int, got []entry, gotErr error) error {
	if err := expectOutcome(gotErr, nil); err != nil {
		return err
	}
	want := m.owned(owner, now)
	if len(want) > limit {
		want = want[:limit]
	}
	if len(got) != len(want) {
		return fmt.Errorf("got %d entries, want %d", len(got), len(want))
	}
	seen := make(map[sessions.ID]bool, len(got))
	for i, e := range got {
		rec, ok := m.live(e.ID, now)
		switch {
		case seen[e.ID]:
			return fmt.Errorf("entry %d: ID %s listed twice", i, e.ID.Short())
		case !ok:
			return fmt.Errorf("entry %d: ID %s has no live record", i, e.ID.Short())
		case rec.Owner != owner:
			return fmt.Errorf("entry %d: ID %s belongs to %q", i, e.ID.Short(), rec.Owner)
		case !sameInstant(e.Record.CreatedAt, want[i].Record.CreatedAt):
			return fmt.Errorf("entry %d: CreatedAt %v, want %v (newest first)", i, e.Record.CreatedAt, want[i].Record.CreatedAt)
		}
		if d := diffRecord(e.Record, rec); d != "" {
			return fmt.Errorf("entry %d (ID %s): %s", i, e.ID.Short(), d)
		}
		seen[e.ID] = true
	}
	return nil
}

// DeleteOwner checks the answer to DeleteOwner(owner, except, now).
func (m *model) DeleteOwner(owner string, except sessions.ID, now time.Time, got int, gotErr error) error {
	if err := expectOutcome(gotErr, nil); err != nil {
		return err
	}
	live, expired := 0, 0
	for id, rec := range m.recs {
		if rec.Owner != owner || id == except {
			continue
		}
		if rec.Live(now) {
			live++
			delete(m.recs, id)
		} else {
			expired++
		}
	}
	if got < live || got > live+expired {
		return fmt.Errorf("count %d, want %d live records plus at most %d expired ones", got, live, expired)
	}
	if got == live+expired {
		m.forgetExpired(now, func(id sessions.ID, rec record) bool { return rec.Owner == owner && id != except })
	}
	return nil
}

// DeleteExpired checks the answer to DeleteExpired(now, limit).
func (m *model) DeleteExpired(now time.Time, limit int, got int, gotErr error) error {
	if err := expectOutcome(gotErr, nil); err != nil {
		return err
	}
	expired := len(m.recs) - len(m.liveIDs(now))
	if got < 0 || got > limit || got > expired {
		return fmt.Errorf("count %d, want between 0 and min(limit %d, %d expired records)", got, limit, expired)
	}
	if got == expired {
		m.forgetExpired(now, func(sessions.ID, record) bool { return true })
	}
	return nil
}

// forgetExpired drops the expired records that match: a count that
// reached the number of candidates shows the backend removed them all.
func (m *model) forgetExpired(now time.Time, match func(sessions.ID, record) bool) {
	for id, rec := range m.recs {
		if !rec.Live(now) && match(id, rec) {
			delete(m.recs, id)
		}
	}
}
