package goredis_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/goredis"
)

// header returns a record header of the store's format: format byte,
// version, created, expires, indexed, flags, owner length and owner.
func header(version uint64, expires time.Time, flags byte, owner string) []byte {
	b := []byte{1}
	b = binary.BigEndian.AppendUint64(b, version)
	b = binary.BigEndian.AppendUint64(b, uint64(t0.UnixMilli()))
	b = binary.BigEndian.AppendUint64(b, uint64(expires.UnixMilli()))
	b = binary.BigEndian.AppendUint64(b, uint64(expires.UnixMilli()))
	b = append(b, flags)
	b = binary.BigEndian.AppendUint16(b, uint16(len(owner)))
	return append(b, owner...)
}

// corruptValues are strings that are not records the store can read.
func corruptValues() map[string]string {
	live := t0.Add(time.Hour)
	ok := func(b []byte) string { return string(b) }
	return map[string]string{
		"empty":                       "",
		"foreign text":                "hello, world",
		"shorter than a header":       ok(header(1, live, 0, ""))[:20],
		"unknown format byte":         "\x02" + ok(header(1, live, 0, ""))[1:] + `j{}`,
		"unknown flags":               ok(header(1, live, 0x80, "")) + `j{}`,
		"version 0":                   ok(header(0, live, 0, "")) + `j{}`,
		"owner longer than the value": ok(header(1, live, 0, "abc"))[:headerLenForTests+1],
		"owner longer than the limit": ok(header(1, live, 0, strings.Repeat("o", sessions.MaxOwnerLen+1))) + `j{}`,
		"no payload":                  ok(header(1, live, 0, "")),
		"payload of another codec":    ok(header(1, live, 0, "")) + `g\x01\x02`,
		"payload that is not JSON":    ok(header(1, live, 0, "")) + `j{"items":`,
		"payload of the wrong shape":  ok(header(1, live, 0, "")) + `j{"items":"not a list"}`,
	}
}

const headerLenForTests = 36

func TestCorruptValuesReadAsDecodeErrorsAndAreNeverOverwritten(t *testing.T) {
	servers(t, func(t *testing.T, srv func(testing.TB) server) {
		c := srv(t).client
		s := newStore[cart](t, c)
		i := byte(0)
		for name, v := range corruptValues() {
			i++
			id := idN(i)
			key := sessionKey(s, id)
			mustNil(t, "SET", c.Set(bg, key, v, time.Hour).Err())
			t.Run(name, func(t *testing.T) {
				if _, err := s.Load(bg, id, t0); !errors.Is(err, sessions.ErrDecode) {
					t.Errorf("Load: %v, want ErrDecode", err)
				}
				// Only the payload is beyond what the scripts check.
				payloadOnly := strings.HasPrefix(name, "payload") || name == "no payload"
				r := rec([]string{"new"}, 2*time.Hour, "")
				r.Version = 2
				err := s.Replace(bg, id, 1, r, t0)
				if payloadOnly {
					if err != nil {
						t.Errorf("Replace of a record whose payload does not decode: %v", err)
					}
				} else if !errors.Is(err, sessions.ErrDecode) {
					t.Errorf("Replace: %v, want ErrDecode", err)
				}
				if payloadOnly {
					mustNil(t, "SET", c.Set(bg, key, v, time.Hour).Err())
				}
				if err := s.Touch(bg, id, t0.Add(2*time.Hour), t0); payloadOnly != (err == nil) || !payloadOnly && !errors.Is(err, sessions.ErrDecode) {
					t.Errorf("Touch: %v", err)
				}
				mustNil(t, "SET", c.Set(bg, key, v, time.Hour).Err())
				if err := s.Create(bg, id, rec(nil, time.Hour, ""), t0); !errors.Is(err, sessions.ErrConflict) {
					t.Errorf("Create over it: %v, want ErrConflict", err)
				}
				if got, err := c.Get(bg, key).Result(); err != nil || got != v {
					t.Errorf("the value changed to %q (%v)", got, err)
				}
				if err := s.Delete(bg, id, 1); payloadOnly != (err == nil) || !payloadOnly && !errors.Is(err, sessions.ErrDecode) {
					t.Errorf("Delete(1): %v", err)
				}
				mustNil(t, "Delete(0)", s.Delete(bg, id, 0))
				if n, _ := c.Exists(bg, key).Result(); n != 0 {
					t.Errorf("Delete(0) left the key")
				}
			})
		}
	})
}

func TestKeysOfAnotherTypeAreBackendErrors(t *testing.T) {
	servers(t, func(t *testing.T, srv func(testing.TB) server) {
		c := srv(t).client
		s := newStore[cart](t, c)
		id := idN(1)
		key := sessionKey(s, id)
		mustNil(t, "HSET", c.HSet(bg, key, "f", "v").Err())
		mustNil(t, "EXPIRE", c.Expire(bg, key, time.Hour).Err())
		isBackend := func(op string, err error) {
			t.Helper()
			if err == nil || errors.Is(err, sessions.ErrNotFound) || errors.Is(err, sessions.ErrConflict) || errors.Is(err, sessions.ErrDecode) {
				t.Errorf("%s of a hash: %v, want a plain error", op, err)
			} else if !strings.Contains(err.Error(), "WRONGTYPE") {
				t.Errorf("%s of a hash: %v, want the WRONGTYPE reply", op, err)
			}
		}
		_, err := s.Load(bg, id, t0)
		isBackend("Load", err)
		isBackend("Create", s.Create(bg, id, rec(nil, time.Hour, ""), t0))
		r := rec(nil, time.Hour, "")
		r.Version = 2
		isBackend("Replace", s.Replace(bg, id, 1, r, t0))
		isBackend("Touch", s.Touch(bg, id, t0.Add(time.Hour), t0))
		isBackend("Delete(1)", s.Delete(bg, id, 1))

		owner := "o"
		mustNil(t, "SET over the owner index", c.Set(bg, s.Prefix()+"owner:bw", "x", time.Hour).Err())
		isBackend("owned Create", s.Create(bg, idN(2), rec(nil, time.Hour, owner), t0))
		_, err = s.ListOwner(bg, owner, t0, 10)
		isBackend("ListOwner", err)
		_, err = s.DeleteOwner(bg, owner, sessions.ID{}, t0)
		isBackend("DeleteOwner", err)
	})
}

func TestTheManagerTurnsCorruptValuesIntoAbsenceAndAnEvent(t *testing.T) {
	servers(t, func(t *testing.T, srv func(testing.TB) server) {
		c := srv(t).client
		s := newStore[cart](t, c)
		var mu sync.Mutex
		var kinds []sessions.EventKind
		m, err := sessions.New[cart](s, sessions.WithObserver(func(_ context.Context, e sessions.Event) {
			mu.Lock()
			defer mu.Unlock()
			kinds = append(kinds, e.Kind)
		}))
		mustNil(t, "sessions.New", err)
		sess, err := m.Generate(bg, cart{Items: []string{"a"}})
		mustNil(t, "Generate", err)
		mustNil(t, "SET", c.Set(bg, sessionKey(s, sess.ID()), "garbage", time.Hour).Err())
		if _, err := m.OfKey(bg, sess.Token()); !errors.Is(err, sessions.ErrNotFound) {
			t.Fatalf("OfKey of a corrupt record: %v, want ErrNotFound", err)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(kinds) != 2 || kinds[1] != sessions.EventDecodeFailed {
			t.Fatalf("events %v, want created then decode-failed", kinds)
		}
	})
}

func TestARefusedConnectionIsABackendErrorThroughTheManager(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	mustNil(t, "Listen", err)
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	s, err := goredis.New[cart](clientFor(t, addr))
	mustNil(t, "New", err)
	m, err := sessions.New[cart](s)
	mustNil(t, "sessions.New", err)
	if _, err := m.Generate(bg, cart{}); !errors.Is(err, sessions.ErrBackend) {
		t.Fatalf("Generate: %v, want ErrBackend", err)
	}
	if _, err := s.Load(bg, idN(1), t0); err == nil || errors.Is(err, sessions.ErrNotFound) {
		t.Fatalf("Load: %v, want a connection error", err)
	}
}

func TestContextDeadlinesBoundEveryCall(t *testing.T) {
	// Each case's server answers replies, then stops answering: the call
	// must give up at its deadline wherever it is, the first round trip
	// or a later one.
	id := idN(1)
	page := respPage(string(id[:]), t0.Add(time.Hour).UnixMilli())
	owned := rec(nil, time.Hour, "o")
	owned.Version = 2
	cases := []struct {
		name    string
		replies []string
		call    func(ctx context.Context, s *goredis.Store[cart]) error
	}{
		{"Load", nil, func(ctx context.Context, s *goredis.Store[cart]) error { _, err := s.Load(ctx, id, t0); return err }},
		{"owned Create writing its index entry", nil, func(ctx context.Context, s *goredis.Store[cart]) error {
			return s.Create(ctx, id, rec(nil, time.Hour, "o"), t0)
		}},
		{"owned Create writing its record", []string{":0\r\n"}, func(ctx context.Context, s *goredis.Store[cart]) error {
			return s.Create(ctx, id, rec(nil, time.Hour, "o"), t0)
		}},
		{"Replace", nil, func(ctx context.Context, s *goredis.Store[cart]) error {
			return s.Replace(ctx, id, 1, rec(nil, time.Hour, ""), t0)
		}},
		{"owned Replace extending the index", []string{"*1\r\n:4\r\n"}, func(ctx context.Context, s *goredis.Store[cart]) error {
			return s.Replace(ctx, id, 1, owned, t0)
		}},
		{"Touch", nil, func(ctx context.Context, s *goredis.Store[cart]) error {
			return s.Touch(ctx, id, t0.Add(time.Hour), t0)
		}},
		{"owned Touch extending the index", []string{fmt.Sprintf("*3\r\n:4\r\n$1\r\no\r\n:%d\r\n", t0.UnixMilli())}, func(ctx context.Context, s *goredis.Store[cart]) error {
			return s.Touch(ctx, id, t0.Add(time.Hour), t0)
		}},
		{"Delete", nil, func(ctx context.Context, s *goredis.Store[cart]) error { return s.Delete(ctx, id, 0) }},
		{"ListOwner reading the index", nil, func(ctx context.Context, s *goredis.Store[cart]) error {
			_, err := s.ListOwner(ctx, "o", t0, 10)
			return err
		}},
		{"ListOwner reading records", []string{page}, func(ctx context.Context, s *goredis.Store[cart]) error {
			_, err := s.ListOwner(ctx, "o", t0, 10)
			return err
		}},
		{"DeleteOwner reading the index", nil, func(ctx context.Context, s *goredis.Store[cart]) error {
			_, err := s.DeleteOwner(ctx, "o", sessions.ID{}, t0)
			return err
		}},
		{"DeleteOwner deleting records", []string{page}, func(ctx context.Context, s *goredis.Store[cart]) error {
			_, err := s.DeleteOwner(ctx, "o", sessions.ID{}, t0)
			return err
		}},
		{"DeleteOwner removing entries", []string{page, ":1\r\n"}, func(ctx context.Context, s *goredis.Store[cart]) error {
			_, err := s.DeleteOwner(ctx, "o", sessions.ID{}, t0)
			return err
		}},
		{"Generate", nil, func(ctx context.Context, s *goredis.Store[cart]) error {
			m, err := sessions.New[cart](s)
			if err != nil {
				return err
			}
			_, err = m.Generate(ctx, cart{})
			if err != nil && !errors.Is(err, sessions.ErrBackend) {
				return fmt.Errorf("not wrapped in ErrBackend: %w", err)
			}
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newStallServer(t, tc.replies...)
			s, err := goredis.New[cart](srv.client(t))
			mustNil(t, "New", err)
			ctx, cancel := context.WithTimeout(bg, 100*time.Millisecond)
			defer cancel()
			start := time.Now()
			err = tc.call(ctx, s)
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("took %v with a 100ms deadline", took)
			}
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("%v, want context.DeadlineExceeded", err)
			}
			if got := srv.commands(); got <= len(tc.replies) {
				t.Errorf("the server read %d commands, want the call stalled after %d answered ones", got, len(tc.replies))
			}
		})
	}
}

func TestADoneContextSendsNothing(t *testing.T) {
	srv := newMini(t)
	counter := &commandCounter{}
	srv.client.AddHook(counter)
	s := newStore[cart](t, srv.client)
	ctx, cancel := context.WithCancel(bg)
	cancel()
	errs := []error{
		s.Create(ctx, idN(1), rec(nil, time.Hour, "o"), t0),
		s.Replace(ctx, idN(1), 1, rec(nil, time.Hour, ""), t0),
		s.Touch(ctx, idN(1), t0.Add(time.Hour), t0),
		s.Delete(ctx, idN(1), 0),
	}
	_, err := s.Load(ctx, idN(1), t0)
	errs = append(errs, err)
	_, err = s.ListOwner(ctx, "o", t0, 10)
	errs = append(errs, err)
	_, err = s.DeleteOwner(ctx, "o", sessions.ID{}, t0)
	errs = append(errs, err)
	for i, err := range errs {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("call %d: %v, want context.Canceled", i, err)
		}
	}
	if sent := counter.names(); len(sent) != 0 {
		t.Fatalf("sent %q with a done context", sent)
	}
}
