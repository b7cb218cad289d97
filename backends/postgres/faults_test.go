package postgres_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/internal/testenv"
)

// terminate ends every server process serving a connection named
// appName, as a server restart or a network failure would, and waits
// until those processes are gone. It waits for the processes it ended
// only: a pool in use opens new connections under the same name at once.
func terminate(t *testing.T, appName string) {
	t.Helper()
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, testenv.DatabaseURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	// The call sits in the aggregate, which sees only the rows the WHERE
	// kept: in the WHERE itself, the server could call it on any row.
	const kill = `SELECT coalesce(array_agg(pid) FILTER (WHERE pg_terminate_backend(pid)), '{}') FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = $1`
	var killed []int32
	if err := admin.QueryRow(ctx, kill, appName).Scan(&killed); err != nil {
		t.Fatal(err)
	}
	if len(killed) == 0 {
		t.Fatal("no connection to terminate")
	}
	const alive = `SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1)`
	for deadline := time.Now().Add(10 * time.Second); ; {
		var n int
		if err := admin.QueryRow(ctx, alive, killed).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d terminated connections still listed after 10s", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// neverPing makes the pool hand out idle connections without checking
// them first, as it does for any connection used within the last second:
// a connection that died while idle then fails the call that gets it.
func neverPing(c *pgxpool.Config) {
	c.ShouldPing = func(context.Context, pgxpool.ShouldPingParams) bool { return false }
}

func TestCallsOnTerminatedConnectionsFailWithErrBackendThenRecover(t *testing.T) {
	appName := randomName("sessions-test-")
	pool := newPool(t, withAppName(appName), neverPing, func(c *pgxpool.Config) { c.MaxConns = 1 })
	store := newStore[cart](t, pool)
	ev := &events{}
	m := newManager(t, store, ev)
	ctx := t.Context()
	s, err := m.Generate(ctx, cart{User: "ann"}, sessions.WithOwner("ann"))
	if err != nil {
		t.Fatal(err)
	}
	ops := []struct {
		name string
		call func() error
	}{
		{"OfKey", func() error { _, err := m.OfKey(ctx, s.Token()); return err }},
		{"Set", func() error {
			next, err := m.Set(ctx, s, cart{User: "ann", Count: s.Value().Count + 1})
			if err == nil {
				s = next
			}
			return err
		}},
		{"Generate", func() error { _, err := m.Generate(ctx, cart{}); return err }},
		{"Sessions", func() error { _, err := m.Sessions(ctx, "ann"); return err }},
		{"ClearOwner", func() error { _, err := m.ClearOwner(ctx, "nobody", sessions.ID{}); return err }},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			if err := op.call(); err != nil {
				t.Fatalf("before the failure: %v", err)
			}
			terminate(t, appName)
			failures := ev.count(sessions.EventBackendError)
			if err := op.call(); !errors.Is(err, sessions.ErrBackend) {
				t.Fatalf("on a terminated connection: %v, want ErrBackend", err)
			}
			if ev.count(sessions.EventBackendError) != failures+1 {
				t.Error("no backend-error event for the failure")
			}
			if err := op.call(); err != nil {
				t.Fatalf("after the failure: %v, want the pool to have reconnected", err)
			}
		})
	}
}

func TestConnectionsTerminatedMidRunFailOnlyWithErrBackendAndTheStoreRecovers(t *testing.T) {
	appName := randomName("sessions-test-")
	pool := newPool(t, withAppName(appName), neverPing, func(c *pgxpool.Config) { c.MaxConns = 4 })
	store := newStore[cart](t, pool)
	m := newManager(t, store, nil)
	ctx := t.Context()
	s, err := m.Generate(ctx, cart{User: "ann"})
	if err != nil {
		t.Fatal(err)
	}

	var (
		killed    atomic.Bool
		failures  atomic.Int32
		recovered atomic.Int32 // workers that succeeded after a failure
		wg        sync.WaitGroup
		errs      = make(chan error, 8)
	)
	stop := make(chan struct{})
	for range 8 {
		wg.Go(func() {
			failed := false
			for {
				select {
				case <-stop:
					return
				default:
				}
				_, err := m.OfKey(ctx, s.Token())
				switch {
				case err == nil && failed:
					recovered.Add(1)
					return
				case err == nil:
				case !errors.Is(err, sessions.ErrBackend):
					errs <- err
					return
				case !killed.Load():
					errs <- errors.New("failed before any connection was terminated: " + err.Error())
					return
				default:
					failures.Add(1)
					failed = true
				}
			}
		})
	}
	time.Sleep(50 * time.Millisecond)
	killed.Store(true)
	terminate(t, appName)
	time.Sleep(200 * time.Millisecond)
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if failures.Load() == 0 {
		t.Fatal("no call failed after the connections were terminated")
	}
	if recovered.Load() == 0 {
		t.Error("no worker succeeded again after its failure")
	}
	if _, err := m.OfKey(ctx, s.Token()); err != nil {
		t.Errorf("after the run: %v", err)
	}
}

func TestAnExpiredDeadlineIsABackendErrorAndThePoolRecovers(t *testing.T) {
	appName := randomName("sessions-test-")
	pool := newPool(t, withAppName(appName))
	store, table := newStoreIn[cart](t, pool)
	m := newManager(t, store, nil)
	ctx := t.Context()
	s, err := m.Generate(ctx, cart{User: "ann"})
	if err != nil {
		t.Fatal(err)
	}

	// Another transaction holds the session's row, so a write waits until
	// its deadline.
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(context.Background()) }()
	if _, err := tx.Exec(ctx, "SELECT 1 FROM "+table+" WHERE id = $1 FOR UPDATE", idArg(s.ID())); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	_, err = m.Set(short, s, cart{User: "ann", Count: 1})
	if !errors.Is(err, sessions.ErrBackend) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Set past its deadline: %v, want ErrBackend and DeadlineExceeded", err)
	}
	// The server learns of the cancellation asynchronously; released
	// before that, the lock would let the abandoned write through, as with
	// any database client.
	waitNoLockWaits(t, pool, appName)
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}

	if _, err := m.OfKey(short, s.Token()); !errors.Is(err, sessions.ErrBackend) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("OfKey with an expired context: %v, want ErrBackend and DeadlineExceeded", err)
	}
	if s, err = m.Set(ctx, s, cart{User: "ann", Count: 2}); err != nil {
		t.Fatalf("Set after the deadline: %v", err)
	}
	if got, err := m.OfKey(ctx, s.Token()); err != nil || got.Value().Count != 2 || got.Version() != 2 {
		t.Errorf("OfKey = %+v version %d, %v; want count 2 at version 2", got.Value(), got.Version(), err)
	}
}

// waitNoLockWaits waits until no connection named appName waits for a
// lock.
func waitNoLockWaits(t *testing.T, pool *pgxpool.Pool, appName string) {
	t.Helper()
	const waiting = `SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`
	for deadline := time.Now().Add(10 * time.Second); ; {
		var n int
		if err := pool.QueryRow(context.Background(), waiting, appName).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d cancelled statements still wait for a lock after 10s", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestACorruptValueReadsAsAbsentWithADecodeFailedEvent(t *testing.T) {
	pool := newPool(t)
	store, table := newStoreIn[cart](t, pool)
	ev := &events{}
	m := newManager(t, store, ev)
	ctx := t.Context()
	tests := []struct {
		name  string
		value []byte
	}{
		{"empty", []byte{}},
		{"an unknown format byte", []byte(`x{"user":"ann"}`)},
		{"truncated JSON", []byte(`j{"user":"an`)},
		{"JSON of another shape", []byte(`j{"items":"not a list"}`)},
		{"over the codec's size bound", append([]byte(`j"`), make([]byte, sessions.DefaultMaxValueBytes)...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			good, err := m.Generate(ctx, cart{User: "ann"}, sessions.WithOwner("ann"))
			if err != nil {
				t.Fatal(err)
			}
			bad, err := m.Generate(ctx, cart{User: "ann"}, sessions.WithOwner("ann"))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := pool.Exec(ctx, "UPDATE "+table+" SET value = $2 WHERE id = $1", idArg(bad.ID()), tt.value); err != nil {
				t.Fatal(err)
			}
			if _, err := store.Load(ctx, bad.ID(), t0); !errors.Is(err, sessions.ErrDecode) {
				t.Errorf("Load: %v, want ErrDecode", err)
			}
			before := ev.count(sessions.EventDecodeFailed)
			if _, err := m.OfKey(ctx, bad.Token()); !errors.Is(err, sessions.ErrNotFound) {
				t.Errorf("OfKey: %v, want ErrNotFound", err)
			}
			if ev.count(sessions.EventDecodeFailed) != before+1 {
				t.Error("no decode-failed event")
			}
			listed, err := m.Sessions(ctx, "ann")
			if err != nil {
				t.Fatalf("Sessions: %v", err)
			}
			for _, e := range listed {
				if e.ID == bad.ID() {
					t.Error("Sessions lists the corrupt session")
				}
			}
			if _, err := m.OfKey(ctx, good.Token()); err != nil {
				t.Errorf("OfKey of a sound session beside it: %v", err)
			}
			if _, err := m.ClearOwner(ctx, "ann", sessions.ID{}); err != nil {
				t.Errorf("ClearOwner: %v", err)
			}
		})
	}
}
