// Package proptest checks that session stores honour the contracts of the
// sessions package, in the spirit of testing/fstest.TestFS.
//
// A store author tests a [sessions.Backend] in five lines:
//
//	func TestMyStore(t *testing.T) {
//		proptest.TestBackend(t, func(t *testing.T) sessions.Backend[proptest.Value] {
//			return mystore.New(mystore.Options{Prefix: t.Name() + rand.Text()})
//		})
//	}
//
// and checks the lifecycle rules of a [sessions.Manager] over any store,
// including a [sessions.TokenStore] such as a sealed cookie store, in a
// few more:
//
//	func TestMyStoreManager(t *testing.T) {
//		proptest.TestManager(t, func(t *testing.T, now func() time.Time) *sessions.Manager[proptest.Value] {
//			m, err := sessions.NewWithStore(mystore.New(mystore.Options{Clock: now}), sessions.WithClock(now))
//			if err != nil {
//				t.Fatal(err)
//			}
//			return m
//		})
//	}
//
// # What TestBackend checks
//
// [TestBackend] runs two parts, each as subtests named after behaviours so
// a failure says which rule broke:
//
//   - A fixed table of behaviours of the four Backend methods (subtests
//     under "Backend") and of every optional capability the backend
//     implements ("Toucher", "OwnerIndex", "Sweeper"). Capabilities are
//     discovered by type assertion, as the Manager discovers them; a
//     missing one is skipped with the reason, for example "backend does
//     not implement sessions.Toucher".
//   - A state machine ("StateMachine") driven by pgregory.net/rapid: random
//     sequences of creates, loads, replaces and deletes with right and
//     wrong versions, touches, owner listings and deletions, sweeps and
//     clock advances over a few IDs and owners, each answer checked against
//     a simple model of the contract. The -rapid.checks flag sets how many
//     sequences run (100 by default), -rapid.steps their average length
//     (30), and -rapid.seed replays the one a failure reports.
//
// Every error is compared with [errors.Is], so stores may wrap the
// sentinels. Values are [Value]s, which hold a slice and a map: the kit
// mutates what it passes in and what it gets back, and reports a store
// whose records alias either.
//
// # What the model does not constrain
//
// A record is live while now is before its ExpiresAt. Once it is not, the
// contract lets a store keep it or drop it at any moment (a TTL, a lazy
// read, a sweeper), so the model keeps expired records as "may be there"
// and accepts either answer wherever it shows:
//
//   - Load, Replace, Touch and ListOwner must treat an expired record
//     exactly as an absent one, and Create must succeed over it.
//   - Delete takes no now: a conditional Delete of an expired record may
//     report ErrNotFound, or behave as on a live record (nil for the
//     stored version, ErrConflict for another). An unconditional Delete is
//     always nil.
//   - DeleteOwner must delete every live record of the owner but the
//     excepted one and leave everything else live; its count must be at
//     least the number of live records it deleted and at most that plus
//     the expired records of the owner that may still be stored.
//   - DeleteExpired must leave live records alone; its count must be at
//     most the limit and at most the number of expired records that may
//     still be stored. The fixed table also checks that repeated sweeps
//     remove expired records, by loading them at an earlier now at which
//     they were live; the records it sweeps expired a week before the
//     sweep, so a store may keep a clock-skew margin shorter than that.
//   - ListOwner must return exactly the live records of the owner, at most
//     limit of them, newest CreatedAt first; records with equal CreatedAt
//     may come in any order.
//
// Like the Manager, the kit never changes a record's Owner or CreatedAt
// with Replace, never calls ListOwner or DeleteOwner with the empty owner,
// and always passes a limit of at least one. It does reuse IDs: a record
// may be deleted, or expire, and be created again under another owner,
// and the index of the first owner must then neither list nor delete it.
//
// # Time
//
// The kit drives now itself and never reads the wall clock for liveness:
// instants start at 2030-01-01T00:00:00Z and move in whole milliseconds.
// Every ExpiresAt the kit writes is at least a minute after the now it
// passes, so a store that also sets real time-to-lives (Redis PX) keeps
// records long enough for the check. Times read back are compared with
// [time.Time.Equal] after truncation to the millisecond, so stores may
// return them in any location and with millisecond precision.
//
// # Isolation
//
// The function passed to TestBackend is called once per subtest and once
// per state-machine sequence, and must return an empty backend that no
// other call shares: a fresh key prefix or schema for a networked store,
// so the kit runs unchanged against real servers. It may register
// cleanups with t.Cleanup; for the state machine they run when the
// StateMachine subtest ends. IDs are random and owner names carry a
// random suffix, so even a shared server sees no collisions on IDs or
// owners, but an unprefixed Sweeper could still sweep another run's
// records.
//
// # What TestManager checks
//
// [TestManager] first probes the store through a Manager, then runs two
// parts, again as subtests named after behaviours:
//
//   - A fixed table ("Manager"): Generate, OfKey, OfHeader and
//     OfHeaderOrCreate, Set, Update (from stale sessions and from eight
//     goroutines at once), Touch on either side of the touch interval,
//     Renew, Clear, the idle and absolute deadlines (a session kept alive
//     by every kind of write still dies 24 hours after it was created),
//     the owner operations, and cookies.
//   - A state machine ("ManagerStateMachine") of generates (owned or not,
//     persistent or not), loads by key and by Cookie header (one to three
//     session cookies, live, dead or forged, among unrelated cookies and
//     over one or two header lines), sets and updates from current, stale,
//     dead and unsaved sessions, touches, renews, clears, owner operations
//     and clock steps to the instants where off-by-one bugs show. After
//     every step it checks that every live session opens as the model has
//     it, that no two share a token and no token is handed out twice, that
//     no session expires after its absolute deadline, that cleared,
//     renewed-away, expired and never-issued tokens stay dead (the eight
//     latest to die are opened after every step; all of them keep turning
//     up in cookies and writes), and that every session returned carries
//     Set-Cookie exactly when it is Modified and Vary: Cookie always.
//
// The Manager's timeouts must be the defaults (30 minutes idle, 24 hours
// lifetime, a touch interval of 3 minutes), since the kit computes every
// deadline it expects from them; the probe fails the test otherwise.
//
// Every Set-Cookie header the kit sees must parse with
// [net/http.ParseSetCookie] and carry the Manager's cookie name, Path,
// Domain, HttpOnly, SameSite, Partitioned, and Secure unless the cookie
// is configured Insecure; a deletion has an empty value, Max-Age=0 and an
// Expires in the past; a persistent session's cookie has a positive
// Max-Age and an Expires that agree with each other and with the session's
// deadline to the second. Cache-Control: no-store comes with every
// Set-Cookie. One subtest serves the Manager over an
// [net/http/httptest.NewTLSServer] and has a client with a cookie jar
// count three requests: the count reaches 3 only if the jar sent the
// cookie back. Go's jar enforces neither Secure on loopback nor cookie
// prefixes, so this checks syntax only; that subtest runs on the real
// clock, by which the jar judges Expires.
//
// # How the Manager kit sees store calls
//
// The kit never wraps the store: newManager builds the Manager. To see
// that malformed tokens (empty, 5000 bytes long, or holding a byte no
// cookie value may hold, such as a space, NUL, DEL, a quote, or non-UTF-8)
// are refused before any store call, it passes them to OfKey and OfHeader
// under a context that is already cancelled: a Manager that reached the
// store would get the context's error back, wrapped in ErrBackend, so the
// answer must be exactly ErrNotFound, or None, with no error. That relies
// on stores giving up once their context is done, which networked stores
// do by nature; the kit checks it ("a cancelled context reaches the
// store") by opening a live token under a cancelled context, which must
// fail with ErrBackend wrapping [context.Canceled]. A store that opens
// tokens without any I/O (a sealed cookie store without revocation)
// cannot be observed that way, and that check is skipped for it.
//
// # What a store may lack
//
// A store that keeps a session's token across writes keeps its record on
// the server, and must do everything a server-side store can: detect
// concurrent writes (ErrConflict), and make cleared and renewed-away
// tokens dead at once. A store that issues a new token on every write
// carries the record in the token; the probe finds out whether it sees a
// write from a stale session, and whether a cleared or renewed-away token
// still opens (no revocation). Owner operations are probed for every
// store: Sessions, ClearOwner and ClearOwned returning ErrUnsupported. The
// checks that need what a store lacks are skipped by name, with the
// reason, for example "store has no owner index: Sessions returns
// ErrUnsupported" or "store keeps the record in the token and has no
// revocation: a cleared token still opens"; the state machine adjusts its
// expectations instead (a token that a store without revocation may still
// open is checked only once its own deadline has passed).
//
// newManager is called once for the probe, once per subtest and once per
// state-machine sequence, and must return a Manager, built with
// sessions.WithClock(now), over an empty store that no other call shares
// (a store with a clock of its own gets the same now). It may configure
// the cookie and an observer. The kit's clock starts at
// 2030-01-01T00:00:00Z and moves in whole milliseconds.
//
// # Running more checks
//
// Each state machine runs 100 sequences by default. For a release, or
// after changing a store, run more, and longer ones:
//
//	go test ./mystore/ -run 'TestMyStore' -rapid.checks=10000 -rapid.steps=60
//
// A failing sequence is shrunk, printed, and saved under testdata/rapid
// (unless -rapid.nofailfile is given); -rapid.failfile replays a saved
// one and -rapid.seed the seed a failure reports.
package proptest

// Value is the session value the kit stores. It holds a slice and a map
// so stores that alias values show it, and it is JSON-friendly so stores
// that encode with the default codec take their ordinary path.
//
// Value deliberately has no Clone method: the memory store then copies it
// by a codec round trip, the path most likely to alias. A nil slice or map
// and an empty one count as equal, since codecs may not tell them apart.
type Value struct {
	Counter int               `json:"counter"`
	Tags    []string          `json:"tags"`
	Attrs   map[string]string `json:"attrs"`
}
