package goredis_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"
)

// stallServer stands in for a Redis server that stops answering part-way
// through an operation: it answers the first commands it reads with
// canned replies, in order, and then never answers again. It refuses
// HELLO and CLIENT, which go-redis accepts by speaking RESP2 without
// them, so the replies are RESP2.
type stallServer struct {
	addr string

	mu       sync.Mutex
	replies  []string
	received int // commands read, besides HELLO and CLIENT
}

// newStallServer starts a stallServer that stops t's cleanup only after
// every connection is closed.
func newStallServer(t *testing.T, replies ...string) *stallServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	mustNil(t, "Listen", err)
	srv := &stallServer{addr: l.Addr().String(), replies: replies}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Go(func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
			wg.Go(func() { srv.serve(conn) })
		}
	})
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return srv
}

// client returns a client for the server that honours context deadlines.
func (s *stallServer) client(t testing.TB) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: s.addr, ContextTimeoutEnabled: true, Protocol: 2, DisableIdentity: true})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// commands returns how many commands the server has read, besides HELLO
// and CLIENT.
func (s *stallServer) commands() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.received
}

func (s *stallServer) serve(conn net.Conn) {
	r := bufio.NewReader(conn)
	for {
		name, err := readCommand(r)
		if err != nil {
			return
		}
		if name == "hello" || name == "client" {
			if _, err := io.WriteString(conn, "-ERR unknown command\r\n"); err != nil {
				return
			}
			continue
		}
		s.mu.Lock()
		s.received++
		var reply string
		if len(s.replies) > 0 {
			reply, s.replies = s.replies[0], s.replies[1:]
		}
		s.mu.Unlock()
		if reply == "" {
			continue // stalled: read on, answer nothing
		}
		if _, err := io.WriteString(conn, reply); err != nil {
			return
		}
	}
}

// readCommand reads one command, an array of bulk strings, and returns
// its name in lower case.
func readCommand(r *bufio.Reader) (string, error) {
	n, err := readLen(r, '*')
	if err != nil {
		return "", err
	}
	var name string
	for i := range n {
		size, err := readLen(r, '$')
		if err != nil {
			return "", err
		}
		arg := make([]byte, size+2)
		if _, err := io.ReadFull(r, arg); err != nil {
			return "", err
		}
		if i == 0 {
			name = strings.ToLower(string(arg[:size]))
		}
	}
	return name, nil
}

// readLen reads a line holding kind and a length of at most a megabyte.
func readLen(r *bufio.Reader, kind byte) (int, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return 0, err
	}
	if len(line) < 3 || line[0] != kind {
		return 0, fmt.Errorf("unexpected line %q", line)
	}
	n, err := strconv.Atoi(strings.TrimSuffix(line[1:], "\r\n"))
	if err != nil || n < 0 || n > 1<<20 {
		return 0, errors.New("bad length")
	}
	return n, nil
}

// respPage returns the RESP2 reply to a sorted-set read WITHSCORES that
// found member with score.
func respPage(member string, score int64) string {
	s := strconv.FormatInt(score, 10)
	return fmt.Sprintf("*2\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", len(member), member, len(s), s)
}
