package proptest

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/typedsession/sessions"
)

// expected is what the Manager kit expects of a session: its ID (the zero
// ID when any will do) and its record.
type expected struct {
	ID  sessions.ID
	Rec record
}

// recordOf returns the record a session shows.
func recordOf(s sessions.Session[Value]) record {
	return record{
		Value:      s.Value(),
		CreatedAt:  s.CreatedAt(),
		ExpiresAt:  s.ExpiresAt(),
		Owner:      s.Owner(),
		Version:    s.Version(),
		Persistent: s.Persistent(),
	}
}

// expectedOf returns what s holds, with a private copy of its value.
func expectedOf(s sessions.Session[Value]) expected {
	return expected{ID: s.ID(), Rec: cloneRecord(recordOf(s))}
}

// diffSession describes how got differs from want, or returns "".
func diffSession(got sessions.Session[Value], want expected) string {
	d := diffRecord(recordOf(got), want.Rec)
	if !want.ID.IsZero() && got.ID() != want.ID {
		if d != "" {
			d += "; "
		}
		d += fmt.Sprintf("ID %s, want %s", got.ID().Short(), want.ID.Short())
	}
	return d
}

// deadline returns when a session created at createdAt and written at now
// expires under the default timeouts: min(now + idle, createdAt + lifetime).
func deadline(createdAt, now time.Time) time.Time {
	idle, limit := now.Add(idleTimeout), createdAt.Add(lifetime)
	if idle.Before(limit) {
		return idle
	}
	return limit
}

// touchDue reports whether Touch at now writes a session whose record is
// rec: only once its deadline would move by more than the touch interval.
func touchDue(rec record, now time.Time) bool {
	return deadline(rec.CreatedAt, now).After(rec.ExpiresAt.Add(touchInterval))
}

// lineage is a live session in the model of the Manager state machine:
// its current token, what OfKey must return for it, and sessions the
// Manager returned for it, to write from.
type lineage struct {
	token string
	want  expected
	last  sessions.Session[Value]   // the session the last write returned
	stale []sessions.Session[Value] // earlier ones, of lower versions
}

// maxStale bounds the stale sessions kept per lineage.
const maxStale = 3

// corpse is a token that must never open again: its session was cleared,
// renewed away or expired, or it was never issued. last is the session to
// write from, zero for a token that was never issued.
type corpse struct {
	token string
	why   string
	id    sessions.ID
	last  sessions.Session[Value]
}

// zombie is a dead session's token that a store keeping records in
// tokens, without revocation, may still open until the deadline the token
// carries.
type zombie struct {
	token     string
	expiresAt time.Time
}

// managerModel is what the state machine knows of the sessions it made.
// Lineages and corpses are kept in slices, in the order they appeared, so
// that draws from them replay.
type managerModel struct {
	traits       traits
	live         []*lineage
	dead         []corpse
	zombies      []zombie
	issued       map[string]bool
	expiredOwned map[string]int // sessions of an owner that expired and may still be stored
}

func newManagerModel(tr traits) *managerModel {
	return &managerModel{traits: tr, issued: make(map[string]bool), expiredOwned: make(map[string]int)}
}

// issue records a token the Manager handed out; a token handed out twice
// would let one client open another's session.
func (mm *managerModel) issue(token string) error {
	switch {
	case token == "":
		return errors.New("a stored session has no token")
	case mm.issued[token]:
		return errors.New("the Manager handed out a token it had handed out before")
	}
	mm.issued[token] = true
	return nil
}

// add starts a lineage for a session just stored under a fresh token.
func (mm *managerModel) add(s sessions.Session[Value], want expected) error {
	if err := mm.issue(s.Token()); err != nil {
		return err
	}
	want.ID = s.ID()
	mm.live = append(mm.live, &lineage{token: s.Token(), want: want, last: s})
	return nil
}

// rewrite records a write to l that returned s, which must hold want.
func (mm *managerModel) rewrite(l *lineage, s sessions.Session[Value], want expected) error {
	if s.Token() != l.token {
		if !mm.traits.carriesRecord {
			return errors.New("a write changed the token, though the store keeps tokens across writes")
		}
		if err := mm.issue(s.Token()); err != nil {
			return err
		}
		mm.zombies = append(mm.zombies, zombie{token: l.token, expiresAt: l.want.Rec.ExpiresAt})
		l.token = s.Token()
	}
	if want.Rec.Version > l.want.Rec.Version {
		l.stale = append(l.stale, l.last)
		if len(l.stale) > maxStale {
			l.stale = l.stale[1:]
		}
	}
	l.want, l.last = want, s
	return nil
}

// kill ends l: its token must never open again if the store revokes this
// kind of death, else only once the token's own deadline passes.
func (mm *managerModel) kill(l *lineage, why string, revoked bool) {
	mm.live = slices.DeleteFunc(mm.live, func(x *lineage) bool { return x == l })
	if revoked {
		mm.dead = append(mm.dead, corpse{token: l.token, why: why, id: l.want.ID, last: l.last})
		return
	}
	mm.zombies = append(mm.zombies, zombie{token: l.token, expiresAt: l.want.Rec.ExpiresAt})
}

// forge records a token that names no session.
func (mm *managerModel) forge(token string) {
	mm.dead = append(mm.dead, corpse{token: token, why: "never issued"})
}

// expire moves the sessions and zombie tokens that are past their
// deadline at now to the dead.
func (mm *managerModel) expire(now time.Time) {
	for _, l := range slices.Clone(mm.live) {
		if !l.want.Rec.Live(now) {
			if l.want.Rec.Owner != "" {
				mm.expiredOwned[l.want.Rec.Owner]++
			}
			mm.kill(l, "expired", true)
		}
	}
	mm.zombies = slices.DeleteFunc(mm.zombies, func(z zombie) bool {
		if now.Before(z.expiresAt) {
			return false
		}
		mm.dead = append(mm.dead, corpse{token: z.token, why: "expired"})
		return true
	})
}

// lineageOf returns the live lineage whose current token is token, or nil.
func (mm *managerModel) lineageOf(token string) *lineage {
	for _, l := range mm.live {
		if l.token == token {
			return l
		}
	}
	return nil
}

// definite returns the tokens whose fate the model knows: the current
// tokens of live sessions and the dead tokens. Zombies are left out.
func (mm *managerModel) definite() []string {
	tokens := make([]string, 0, len(mm.live)+len(mm.dead))
	for _, l := range mm.live {
		tokens = append(tokens, l.token)
	}
	for _, d := range mm.dead {
		tokens = append(tokens, d.token)
	}
	return tokens
}

// writable returns the dead sessions the machine may try to write from.
func (mm *managerModel) writable() []corpse {
	var cs []corpse
	for _, d := range mm.dead {
		if d.last.Token() != "" {
			cs = append(cs, d)
		}
	}
	return cs
}

// owned returns the live lineages of owner, newest first.
func (mm *managerModel) owned(owner string) []*lineage {
	var ls []*lineage
	for _, l := range mm.live {
		if l.want.Rec.Owner == owner {
			ls = append(ls, l)
		}
	}
	slices.SortStableFunc(ls, func(a, b *lineage) int { return b.want.Rec.CreatedAt.Compare(a.want.Rec.CreatedAt) })
	return ls
}

// byID returns the live lineage with the given ID, or nil.
func (mm *managerModel) byID(id sessions.ID) *lineage {
	for _, l := range mm.live {
		if l.want.ID == id {
			return l
		}
	}
	return nil
}

// checkListing returns an error unless got, the answer of Sessions(owner),
// lists exactly the live sessions of owner, newest first; sessions created
// at the same instant may come in any order.
func (mm *managerModel) checkListing(owner string, got []entry) error {
	want := mm.owned(owner)
	if len(got) != len(want) {
		return fmt.Errorf("listed %d sessions, want %d", len(got), len(want))
	}
	seen := make(map[sessions.ID]bool, len(got))
	for i, e := range got {
		l := mm.byID(e.ID)
		switch {
		case seen[e.ID]:
			return fmt.Errorf("entry %d: ID %s listed twice", i, e.ID.Short())
		case l == nil || l.want.Rec.Owner != owner:
			return fmt.Errorf("entry %d: ID %s is no live session of the owner", i, e.ID.Short())
		case !sameInstant(e.Record.CreatedAt, want[i].want.Rec.CreatedAt):
			return fmt.Errorf("entry %d: CreatedAt %v, want %v (newest first)", i, e.Record.CreatedAt, want[i].want.Rec.CreatedAt)
		}
		if d := diffRecord(e.Record, l.want.Rec); d != "" {
			return fmt.Errorf("entry %d (ID %s): %s", i, e.ID.Short(), d)
		}
		seen[e.ID] = true
	}
	return nil
}
