package goredis_test

import (
	"context"
	"errors"
	"net"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/internal/testenv"
)

// checkOutageAndRecovery runs the Manager through a server outage: stop
// stops the server, start starts it again on the same address. During
// the outage every call must fail with ErrBackend; afterwards the same
// Manager, store and client must work again.
func checkOutageAndRecovery(t *testing.T, c redis.UniversalClient, stop, start func()) {
	t.Helper()
	m, _ := newManager(t, c)
	s, err := m.Generate(bg, cart{Items: []string{"before"}}, sessions.WithOwner("o"))
	mustNil(t, "Generate before the outage", err)

	stop()
	ctx, cancel := context.WithTimeout(bg, 30*time.Second)
	defer cancel()
	calls := map[string]func() error{
		"Generate": func() error { _, err := m.Generate(ctx, cart{}); return err },
		"OfKey":    func() error { _, err := m.OfKey(ctx, s.Token()); return err },
		"Set":      func() error { _, err := m.Set(ctx, s, cart{}); return err },
		"Renew":    func() error { _, err := m.Renew(ctx, s); return err },
		"Clear":    func() error { _, err := m.Clear(ctx, s); return err },
		"Sessions": func() error { _, err := m.Sessions(ctx, "o"); return err },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, sessions.ErrBackend) {
			t.Errorf("%s during the outage: %v, want ErrBackend", name, err)
		}
	}

	start()
	// go-redis stops dialling after a run of refused dials and probes the
	// address once a second, so recovery may take that long.
	fresh, err := m.Generate(ctx, cart{Items: []string{"after"}})
	for wait := time.Now().Add(10 * time.Second); err != nil && time.Now().Before(wait); {
		time.Sleep(50 * time.Millisecond)
		fresh, err = m.Generate(ctx, cart{Items: []string{"after"}})
	}
	mustNil(t, "Generate after the outage", err)
	got, err := m.OfKey(ctx, fresh.Token())
	mustNil(t, "OfKey after the outage", err)
	if len(got.Value().Items) != 1 || got.Value().Items[0] != "after" {
		t.Fatalf("OfKey after the outage: %+v", got.Value())
	}
}

func TestTheStoreRecoversWhenMiniredisComesBack(t *testing.T) {
	first := miniredis.NewMiniRedis()
	mustNil(t, "StartAddr", first.StartAddr("127.0.0.1:0"))
	addr := first.Addr()
	c := clientFor(t, addr)
	var second *miniredis.Miniredis
	t.Cleanup(func() {
		if second != nil {
			second.Close()
		}
	})
	checkOutageAndRecovery(t, c, first.Close, func() {
		second = miniredis.NewMiniRedis()
		mustNil(t, "StartAddr on the same address", second.StartAddr(addr))
	})
}

func TestTheStoreRecoversWhenARealServerRestarts(t *testing.T) {
	testenv.RedisURL(t) // a real server is wanted: skip or fail by the usual rule
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if testenv.RequireServers() {
			t.Fatalf("redis-server is not on PATH: %v", err)
		}
		t.Skipf("redis-server is not on PATH: %v", err)
	}
	port := freePort(t)
	addr := net.JoinHostPort("127.0.0.1", port)
	srv := startRedisServer(t, bin, port, addr)
	c := clientFor(t, addr)
	checkOutageAndRecovery(t, c, func() {
		stopProcess(t, srv)
	}, func() {
		srv = startRedisServer(t, bin, port, addr)
	})
}

// freePort returns a loopback TCP port that nothing listened on a moment
// ago.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	mustNil(t, "Listen", err)
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// startRedisServer starts a redis-server without persistence on port as a
// child process, waits until it answers, and stops it when t ends.
func startRedisServer(t *testing.T, bin, port, addr string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no")
	mustNil(t, "starting redis-server", cmd.Start())
	t.Cleanup(func() { stopProcess(t, cmd) })
	probe := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer probe.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := probe.Ping(bg).Err()
		if err == nil {
			return cmd
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server on %s did not answer: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stopProcess kills cmd's process, if it still runs, and waits for it.
func stopProcess(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if cmd.ProcessState != nil {
		return // already waited for
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
}
