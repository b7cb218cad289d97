package sessions_test

import (
	"context"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/goredis"
	"github.com/typedsession/sessions/backends/memory"
	"github.com/typedsession/sessions/backends/postgres"
	"github.com/typedsession/sessions/backends/sealed"
	"github.com/typedsession/sessions/internal/testclock"
	"github.com/typedsession/sessions/internal/teststores"
)

// managerOn returns a Manager on clk over the store s describes, or over
// a sealed cookie store when sealedStore is set, and the events it saw.
func managerOn(t *testing.T, s teststores.Store, sealedStore bool, clk *testclock.Clock) (*sessions.Manager[cart], chan sessions.Event) {
	t.Helper()
	events := make(chan sessions.Event, 100)
	opts := []sessions.Option{
		sessions.WithClock(clk.Now),
		sessions.WithObserver(func(_ context.Context, e sessions.Event) { events <- e }),
	}
	var m *sessions.Manager[cart]
	var err error
	switch {
	case sealedStore:
		ring, rerr := sealed.NewKeyRing([]byte(rand.Text() + rand.Text()))
		if rerr != nil {
			t.Fatal(rerr)
		}
		store, serr := sealed.New[cart](ring, sealed.WithClock(clk.Now))
		if serr != nil {
			t.Fatal(serr)
		}
		m, err = sessions.NewWithStore[cart](store, opts...)
	case s.RedisURL != "":
		opt, perr := redis.ParseURL(s.RedisURL)
		if perr != nil {
			t.Fatal(perr)
		}
		client := redis.NewClient(opt)
		t.Cleanup(func() { client.Close() })
		store, serr := goredis.New[cart](client, goredis.WithPrefix(s.RedisPrefix))
		if serr != nil {
			t.Fatal(serr)
		}
		m, err = sessions.New[cart](store, opts...)
	case s.PostgresURL != "":
		pool, perr := pgxpool.New(context.Background(), s.PostgresURL)
		if perr != nil {
			t.Fatal(perr)
		}
		t.Cleanup(pool.Close)
		store, serr := postgres.New[cart](pool, postgres.WithTable(s.Table("sessions")), postgres.WithClock(clk.Now))
		if serr != nil {
			t.Fatal(serr)
		}
		t.Cleanup(func() { store.Close() })
		if err := store.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		m, err = sessions.New[cart](store, opts...)
	default:
		store, serr := memory.New[cart]()
		if serr != nil {
			t.Fatal(serr)
		}
		t.Cleanup(func() { store.Close() })
		m, err = sessions.New[cart](store, opts...)
	}
	if err != nil {
		t.Fatal(err)
	}
	return m, events
}

// A record whose CreatedAt lies ahead of the Manager's clock by more than
// the skew margin was not written by an honest Manager (a forged row, a
// server with a runaway clock): it reads as absent, reason "tampered".
func TestRecordCreatedInTheFutureReadsAsTampered(t *testing.T) {
	each := func(t *testing.T, s teststores.Store, sealedStore bool) {
		for _, tc := range []struct {
			ahead time.Duration
			live  bool
		}{
			{sessions.MaxClockSkew, true},
			{sessions.MaxClockSkew + time.Second, false},
			{time.Hour, false},
		} {
			t.Run(tc.ahead.String(), func(t *testing.T) {
				start := time.Now().UTC().Truncate(time.Millisecond)
				clk := testclock.New(start.Add(tc.ahead))
				m, events := managerOn(t, s, sealedStore, clk)
				sess, err := m.Generate(ctx, cart{User: "ann"})
				if err != nil {
					t.Fatal(err)
				}
				clk.Set(start)
				_, err = m.OfKey(ctx, sess.Token())
				if tc.live {
					if err != nil {
						t.Fatalf("OfKey within the skew margin = %v, want the session", err)
					}
					return
				}
				if !errors.Is(err, sessions.ErrNotFound) {
					t.Fatalf("OfKey = %v, want ErrNotFound", err)
				}
				if !sawReason(events, sessions.ReasonTampered) {
					t.Fatal("no invalid-token event with reason tampered")
				}
			})
		}
	}
	teststores.Each(t, "createdat", func(t *testing.T, s teststores.Store) { each(t, s, false) })
	t.Run("sealed", func(t *testing.T) { each(t, teststores.Store{}, true) })
}

func sawReason(events chan sessions.Event, reason sessions.Reason) bool {
	for {
		select {
		case e := <-events:
			if e.Kind == sessions.EventInvalidToken && e.Reason == reason {
				return true
			}
		default:
			return false
		}
	}
}
