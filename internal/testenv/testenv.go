// Package testenv is the one place tests find the servers and tools they
// need outside the Go toolchain: a Redis URL, a PostgreSQL URL, a
// Chromium binary, and Node.js with npm packages.
//
// Each lookup skips the calling test, with a message saying which
// environment variable to set, when the thing is not configured. With
// SESSIONS_REQUIRE_SERVERS=1 (as CI runs) a missing server or browser
// fails the test instead, so a green CI run cannot hide skipped tests.
//
// Lookups do not check that a server answers: a test that dials an
// unreachable server fails by itself.
package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Names of the environment variables the package reads.
const (
	// RequireServersEnv, set to "1", turns skips into failures.
	RequireServersEnv = "SESSIONS_REQUIRE_SERVERS"
	// RedisURLEnv holds a Redis URL, such as redis://127.0.0.1:6379/0.
	RedisURLEnv = "REDIS_URL"
	// DatabaseURLEnv holds a PostgreSQL URL, such as
	// postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
	DatabaseURLEnv = "DATABASE_URL"
	// BrowserEnv holds the path of a Chromium or Chrome binary.
	BrowserEnv = "SESSIONS_BROWSER"
	// NodeEnv holds the path of a node binary.
	NodeEnv = "SESSIONS_NODE"
)

// browserNames are the binaries Browser looks for on PATH, in order.
var browserNames = []string{"chromium", "chromium-browser", "google-chrome"}

// RequireServers reports whether SESSIONS_REQUIRE_SERVERS=1, in which case
// a missing server or browser fails a test instead of skipping it.
func RequireServers() bool { return requireServers(os.Getenv) }

// RedisURL returns $REDIS_URL. When it is unset it skips t, or fails t if
// RequireServers reports true.
func RedisURL(t testing.TB) string {
	t.Helper()
	return resolve(t, os.Getenv, RedisURLEnv,
		"set REDIS_URL (for example REDIS_URL=redis://127.0.0.1:6379/0) to run tests against Redis")
}

// DatabaseURL returns $DATABASE_URL. When it is unset it skips t, or fails
// t if RequireServers reports true.
func DatabaseURL(t testing.TB) string {
	t.Helper()
	return resolve(t, os.Getenv, DatabaseURLEnv,
		"set DATABASE_URL (for example DATABASE_URL='postgres://postgres@127.0.0.1:5432/test?sslmode=disable') to run tests against PostgreSQL")
}

// Browser returns the path of a Chromium or Chrome binary: $SESSIONS_BROWSER
// if set, else the first of chromium, chromium-browser and google-chrome
// found on PATH. When there is none it skips t, or fails t if
// RequireServers reports true.
func Browser(t testing.TB) string {
	t.Helper()
	return resolve(t, browserEnv(os.Getenv, exec.LookPath), BrowserEnv,
		"install Chromium or set SESSIONS_BROWSER to the path of a Chromium or Chrome binary to run browser tests")
}

// Node returns the path of a node binary: $SESSIONS_NODE if set, else
// node on PATH. When there is none it skips t, or fails t if
// RequireServers reports true.
func Node(t testing.TB) string {
	t.Helper()
	return resolve(t, toolEnv(os.Getenv, exec.LookPath, NodeEnv, "node"), NodeEnv,
		"install Node.js or set SESSIONS_NODE to the path of a node binary to run the Node interoperability tests")
}

// NodePackage returns the directory of the npm package pkg installed in
// dir/node_modules (by npm ci in dir). When it is not installed it skips
// t, or fails t if RequireServers reports true.
func NodePackage(t testing.TB, dir, pkg string) string {
	t.Helper()
	p := filepath.Join(dir, "node_modules", pkg)
	env := func(name string) string {
		if name != "npm package" {
			return os.Getenv(name)
		}
		if _, err := os.Stat(filepath.Join(p, "package.json")); err != nil {
			return ""
		}
		return p
	}
	return resolve(t, env, "npm package", "run npm ci in "+dir+" to install "+pkg+" (.ci/run does)")
}

// action is what a test does about a lookup.
type action int

const (
	use  action = iota // the value is set: use it
	skip               // unset and not required: skip the test
	fail               // unset and required: fail the test
)

func (a action) String() string {
	switch a {
	case use:
		return "use"
	case skip:
		return "skip"
	case fail:
		return "fail"
	}
	return "action(?)"
}

// requireServers reads SESSIONS_REQUIRE_SERVERS through env.
func requireServers(env func(string) string) bool {
	return env(RequireServersEnv) == "1"
}

// lookup decides what a test does about the variable name, reading the
// environment through env.
func lookup(env func(string) string, name string) (string, action) {
	if v := env(name); v != "" {
		return v, use
	}
	if requireServers(env) {
		return "", fail
	}
	return "", skip
}

// browserEnv returns an environment in which BrowserEnv is
// $SESSIONS_BROWSER if set, else the first browser found on PATH by
// lookPath, else unset.
func browserEnv(env func(string) string, lookPath func(string) (string, error)) func(string) string {
	return func(name string) string {
		v := env(name)
		if name != BrowserEnv || v != "" {
			return v
		}
		for _, b := range browserNames {
			if p, err := lookPath(b); err == nil {
				return p
			}
		}
		return ""
	}
}

// toolEnv returns an environment in which name is $name if set, else the
// path of bin found on PATH by lookPath, else unset.
func toolEnv(env func(string) string, lookPath func(string) (string, error), name, bin string) func(string) string {
	return func(n string) string {
		v := env(n)
		if n != name || v != "" {
			return v
		}
		if p, err := lookPath(bin); err == nil {
			return p
		}
		return ""
	}
}

// resolve applies lookup's decision to t.
func resolve(t testing.TB, env func(string) string, name, hint string) string {
	t.Helper()
	v, act := lookup(env, name)
	switch act {
	case fail:
		t.Fatalf("%s is unset and %s=1: %s", name, RequireServersEnv, hint)
	case skip:
		t.Skipf("%s is unset: %s", name, hint)
	}
	return v
}
