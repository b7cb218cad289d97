package testenv

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
)

// mapEnv is an environment held in a map.
func mapEnv(m map[string]string) func(string) string {
	return func(name string) string { return m[name] }
}

func TestLookupDecidesBetweenUseSkipAndFail(t *testing.T) {
	tests := []struct {
		name       string
		env        map[string]string
		wantValue  string
		wantAction action
	}{
		{
			name:       "set",
			env:        map[string]string{RedisURLEnv: "redis://127.0.0.1:6379/0"},
			wantValue:  "redis://127.0.0.1:6379/0",
			wantAction: use,
		},
		{
			name:       "set and required",
			env:        map[string]string{RedisURLEnv: "redis://127.0.0.1:6379/0", RequireServersEnv: "1"},
			wantValue:  "redis://127.0.0.1:6379/0",
			wantAction: use,
		},
		{
			name:       "unset",
			env:        map[string]string{},
			wantAction: skip,
		},
		{
			name:       "empty counts as unset",
			env:        map[string]string{RedisURLEnv: ""},
			wantAction: skip,
		},
		{
			name:       "unset and required",
			env:        map[string]string{RequireServersEnv: "1"},
			wantAction: fail,
		},
		{
			name:       "only 1 means required",
			env:        map[string]string{RequireServersEnv: "true"},
			wantAction: skip,
		},
		{
			name:       "required by 0 is not required",
			env:        map[string]string{RequireServersEnv: "0"},
			wantAction: skip,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, act := lookup(mapEnv(tt.env), RedisURLEnv)
			if got != tt.wantValue || act != tt.wantAction {
				t.Errorf("lookup = (%q, %v), want (%q, %v)", got, act, tt.wantValue, tt.wantAction)
			}
		})
	}
}

func TestBrowserEnvPrefersVariableThenPathOrder(t *testing.T) {
	onPath := func(names ...string) func(string) (string, error) {
		return func(name string) (string, error) {
			for _, n := range names {
				if n == name {
					return "/usr/bin/" + name, nil
				}
			}
			return "", errors.New("not found")
		}
	}
	tests := []struct {
		name string
		env  map[string]string
		path func(string) (string, error)
		want string
	}{
		{"variable wins", map[string]string{BrowserEnv: "/opt/chrome"}, onPath("chromium"), "/opt/chrome"},
		{"chromium first", nil, onPath("google-chrome", "chromium-browser", "chromium"), "/usr/bin/chromium"},
		{"chromium-browser second", nil, onPath("google-chrome", "chromium-browser"), "/usr/bin/chromium-browser"},
		{"google-chrome last", nil, onPath("google-chrome"), "/usr/bin/google-chrome"},
		{"none", nil, onPath(), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := browserEnv(mapEnv(tt.env), tt.path)
			if got := env(BrowserEnv); got != tt.want {
				t.Errorf("browser = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestBrowserEnvLeavesOtherVariablesAlone(t *testing.T) {
	env := browserEnv(mapEnv(map[string]string{RedisURLEnv: "redis://x"}),
		func(string) (string, error) { return "/usr/bin/chromium", nil })
	if got := env(RedisURLEnv); got != "redis://x" {
		t.Errorf("REDIS_URL = %q, want redis://x", got)
	}
	if got := env(DatabaseURLEnv); got != "" {
		t.Errorf("DATABASE_URL = %q, want empty", got)
	}
}

// recorder is a testing.TB whose Skip and Fatal record the message and
// end the goroutine, as the real ones do.
type recorder struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (r *recorder) Helper() {}

func (r *recorder) Skipf(format string, args ...any) {
	r.skipped, r.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.failed, r.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// runResolve calls resolve on a recorder in its own goroutine, so that
// Skipf and Fatalf can end it.
func runResolve(env map[string]string) (r *recorder, value string) {
	r = &recorder{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		value = resolve(r, mapEnv(env), DatabaseURLEnv, "the hint")
	}()
	<-done
	return r, value
}

func TestResolveReturnsTheValueWhenSet(t *testing.T) {
	r, v := runResolve(map[string]string{DatabaseURLEnv: "postgres://db", RequireServersEnv: "1"})
	if r.skipped || r.failed || v != "postgres://db" {
		t.Errorf("skipped=%v failed=%v value=%q, want the value", r.skipped, r.failed, v)
	}
}

func TestResolveSkipsNamingTheVariableWhenUnset(t *testing.T) {
	r, _ := runResolve(nil)
	if !r.skipped || r.failed {
		t.Fatalf("skipped=%v failed=%v, want a skip", r.skipped, r.failed)
	}
	if !strings.Contains(r.msg, DatabaseURLEnv) || !strings.Contains(r.msg, "the hint") {
		t.Errorf("skip message %q does not name %s and the hint", r.msg, DatabaseURLEnv)
	}
}

func TestResolveFailsWhenUnsetAndServersAreRequired(t *testing.T) {
	r, _ := runResolve(map[string]string{RequireServersEnv: "1"})
	if !r.failed || r.skipped {
		t.Fatalf("skipped=%v failed=%v, want a failure", r.skipped, r.failed)
	}
	for _, want := range []string{DatabaseURLEnv, RequireServersEnv, "the hint"} {
		if !strings.Contains(r.msg, want) {
			t.Errorf("failure message %q does not mention %q", r.msg, want)
		}
	}
}

func TestRequireServersReadsTheEnvironment(t *testing.T) {
	t.Setenv(RequireServersEnv, "1")
	if !RequireServers() {
		t.Error("RequireServers() = false with SESSIONS_REQUIRE_SERVERS=1")
	}
	t.Setenv(RequireServersEnv, "")
	if RequireServers() {
		t.Error("RequireServers() = true with SESSIONS_REQUIRE_SERVERS empty")
	}
}

func TestRedisURLReturnsTheVariable(t *testing.T) {
	t.Setenv(RedisURLEnv, "redis://example:6379/3")
	if got := RedisURL(t); got != "redis://example:6379/3" {
		t.Errorf("RedisURL = %q", got)
	}
}

func TestDatabaseURLReturnsTheVariable(t *testing.T) {
	t.Setenv(DatabaseURLEnv, "postgres://example/db")
	if got := DatabaseURL(t); got != "postgres://example/db" {
		t.Errorf("DatabaseURL = %q", got)
	}
}

func TestBrowserReturnsTheVariable(t *testing.T) {
	t.Setenv(BrowserEnv, "/opt/chromium/chrome")
	if got := Browser(t); got != "/opt/chromium/chrome" {
		t.Errorf("Browser = %q", got)
	}
}

func TestToolEnvPrefersVariableThenPath(t *testing.T) {
	found := func(string) (string, error) { return "/usr/bin/node", nil }
	none := func(string) (string, error) { return "", errors.New("not found") }
	if got := toolEnv(mapEnv(map[string]string{NodeEnv: "/opt/node"}), found, NodeEnv, "node")(NodeEnv); got != "/opt/node" {
		t.Errorf("with the variable set: %q", got)
	}
	if got := toolEnv(mapEnv(nil), found, NodeEnv, "node")(NodeEnv); got != "/usr/bin/node" {
		t.Errorf("from PATH: %q", got)
	}
	if got := toolEnv(mapEnv(nil), none, NodeEnv, "node")(NodeEnv); got != "" {
		t.Errorf("with neither: %q", got)
	}
}

func TestNodePackageFindsAnInstalledPackage(t *testing.T) {
	dir := t.TempDir()
	pkg := dir + "/node_modules/demo"
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pkg+"/package.json", []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := NodePackage(t, dir, "demo"); got != pkg {
		t.Errorf("NodePackage = %q, want %q", got, pkg)
	}
}
