package nodetest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/typedsession/sessions/internal/testenv"
)

// node is a running driver.js: the real redis-sessions library.
type node struct {
	t      testing.TB
	mu     sync.Mutex
	stdin  io.WriteCloser
	lines  chan string
	nextID int
}

// nodeError is an error the Node library threw.
type nodeError struct {
	Name    string `json:"name"`
	Message string `json:"message"`
}

func (e *nodeError) Error() string { return e.Name + ": " + e.Message }

// callTimeout bounds one call into Node.
const callTimeout = 20 * time.Second

// startNode runs driver.js on the Redis at redisURL with namespace ns,
// and stops it when t ends.
func startNode(t testing.TB, redisURL, ns string) *node {
	t.Helper()
	bin := testenv.Node(t)
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	testenv.NodePackage(t, dir, "redis-sessions")
	cmd := exec.Command(bin, filepath.Join(dir, "driver.js"))
	cmd.Env = append(cmd.Environ(), "REDIS_URL="+redisURL, "RS_NAMESPACE="+ns)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = testWriter{t}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting node: %v", err)
	}
	n := &node{t: t, stdin: stdin, lines: make(chan string)}
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			n.lines <- sc.Text()
		}
		close(n.lines)
	}()
	t.Cleanup(func() {
		_ = stdin.Close() // the driver quits its clients and exits
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("node exited: %v", err)
			}
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
			t.Errorf("node did not exit within 10s of its input closing")
		}
	})
	return n
}

// testWriter sends node's stderr to the test log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Logf("node: %s", p)
	return len(p), nil
}

// call runs op on instance inst ("plain" or "cached") with args and
// decodes its result into out (which may be nil). A library error is a
// *nodeError.
func (n *node) call(inst, op string, args any, out any) error {
	n.t.Helper()
	n.mu.Lock()
	defer n.mu.Unlock()
	n.nextID++
	req, err := json.Marshal(map[string]any{"id": n.nextID, "inst": inst, "op": op, "args": args})
	if err != nil {
		n.t.Fatal(err)
	}
	if _, err := n.stdin.Write(append(req, '\n')); err != nil {
		n.t.Fatalf("writing to node: %v", err)
	}
	var line string
	select {
	case l, ok := <-n.lines:
		if !ok {
			n.t.Fatalf("node exited during %s", op)
		}
		line = l
	case <-time.After(callTimeout):
		n.t.Fatalf("node did not answer %s within %v", op, callTimeout)
	}
	var ans struct {
		ID  int             `json:"id"`
		OK  json.RawMessage `json:"ok"`
		Err *nodeError      `json:"err"`
	}
	if err := json.Unmarshal([]byte(line), &ans); err != nil || ans.ID != n.nextID {
		n.t.Fatalf("node answered %s with %q (%v)", op, line, err)
	}
	if ans.Err != nil {
		return ans.Err
	}
	if out != nil {
		if err := json.Unmarshal(ans.OK, out); err != nil {
			return fmt.Errorf("decoding %s's result %s: %w", op, ans.OK, err)
		}
	}
	return nil
}

// must is call that fails the test on a library error.
func (n *node) must(inst, op string, args any, out any) {
	n.t.Helper()
	if err := n.call(inst, op, args, out); err != nil {
		n.t.Fatalf("node %s %s: %v", inst, op, err)
	}
}

// nodeSession is what Node's get, set, soid and soapp return.
type nodeSession struct {
	ID       string         `json:"id"`
	R        int64          `json:"r"`
	W        int64          `json:"w"`
	TTL      int64          `json:"ttl"`
	Idle     int64          `json:"idle"`
	IP       string         `json:"ip"`
	NoResave bool           `json:"no_resave"`
	D        map[string]any `json:"d"`
}
