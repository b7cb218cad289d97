package nodetest

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/redissessions"
	"github.com/typedsession/sessions/internal/testenv"
)

// The example app's Node script, run as its documentation says, reads a
// login Go made: soapp without a token, get with one.
func TestTheWebappNodeScriptReadsAGoLogin(t *testing.T) {
	url := testenv.RedisURL(t)
	bin := testenv.Node(t)
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	testenv.NodePackage(t, dir, "redis-sessions")
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opt)
	t.Cleanup(func() { _ = c.Close() })
	app := "ex" + strings.ToLower(rand.Text()[:12])
	store, err := redissessions.New[profile](c, app) // the default namespace, as the script reads
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, _ = store.KillAll(ctx)
	})
	m, err := sessions.NewWithStore[profile](store)
	if err != nil {
		t.Fatal(err)
	}
	s, err := m.Generate(redissessions.WithIP(t.Context(), "127.0.0.1"), profile{User: "ann", Hits: 2}, sessions.WithOwner("ann"))
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "..", "..", "..", "examples", "webapp", "node", "read-login.js")
	for _, args := range [][]string{{app}, {app, s.Token()}} {
		cmd := exec.CommandContext(t.Context(), bin, append([]string{script}, args...)...)
		cmd.Env = append(cmd.Environ(), "REDIS_URL="+url, "NODE_PATH="+filepath.Join(dir, "node_modules"))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("read-login.js %d args: %v\n%s", len(args), err, out)
		}
		var got struct {
			User string `json:"user"`
			ID   string `json:"id"`
			IP   string `json:"ip"`
		}
		if err := json.Unmarshal(out, &got); err != nil || got.User != "ann" || got.ID != "ann" || got.IP != "127.0.0.1" {
			t.Fatalf("read-login.js with %d args printed %s (%v)", len(args), out, err)
		}
	}
}
