package main

import (
	"bufio"
	"io"
	"math"
	"strings"
)

// The cycles, in the order the specification numbers them.
var cycles = []string{"read", "write", "new"}

// store is where a subject keeps its sessions.
type store int

const (
	memoryStore store = iota
	redisStore
	postgresStore
	cookieStore
)

// storeOf tells a subject's store from its name.
func storeOf(subject string) store {
	switch {
	case strings.Contains(subject, "redis"):
		return redisStore
	case strings.Contains(subject, "postgres"), strings.Contains(subject, "pgx"):
		return postgresStore
	case strings.Contains(subject, "sealed"), strings.Contains(subject, "cookiestore"):
		return cookieStore
	}
	return memoryStore
}

// goroutines returns the benchmark goroutines of a subject's rows.
func goroutines(subject string) int {
	if s := storeOf(subject); s == redisStore || s == postgresStore {
		return 32
	}
	return 2
}

// isLibrary reports whether a subject is this library, through either API.
func isLibrary(subject string) bool {
	return strings.HasPrefix(subject, "sessions-") || strings.HasPrefix(subject, "httpsession-")
}

// peers are the peer subjects, in the order of the ratio columns.
var peers = []string{"scs-memstore", "scs-memstore+hash", "scs-goredisstore", "scs-pgxstore", "gorilla-cookiestore"}

// benchNames returns the benchmark names of a go test output in the
// order they first appear, without "Benchmark" and the procs suffix.
func benchNames(r io.Reader, procs string) ([]string, error) {
	var names []string
	seen := make(map[string]bool)
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := strings.TrimSuffix(strings.TrimPrefix(f[0], "Benchmark"), procs)
		if !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
	}
	return names, sc.Err()
}

// subjectsOf returns the subjects under group ("Cycle" or "Idle") in the
// order the names list them.
func subjectsOf(names []string, group string) []string {
	var out []string
	seen := make(map[string]bool)
	for _, n := range names {
		parts := strings.Split(n, "/")
		if len(parts) == 3 && parts[0] == group && !seen[parts[1]] {
			seen[parts[1]] = true
			out = append(out, parts[1])
		}
	}
	return out
}

// report is everything one sitting measured.
type report struct {
	res    results
	names  []string
	redis  map[string]series // by command; "GET-P16" for the pipelined runs
	pg     map[string]series // by pgbench script
	probe  []probeRow
	env    string
	notes  string
	chart  string // the chart's path relative to the Markdown file
	raw    string // the raw outputs' directory relative to the Markdown file
	chartN int    // bars drawn
}

func cycleName(subject, cycle string) string { return "Cycle/" + subject + "/" + cycle }

// nsOf returns the median ns/op of a cycle.
func (rp *report) nsOf(subject, cycle string) (float64, bool) {
	return rp.res.ns(cycleName(subject, cycle))
}

// floorNs returns the same-store floor of a cycle: what the harness plus
// the bare store operations the cycle needs cost, and its label.
func (rp *report) floorNs(st store, cycle string) (string, float64, bool) {
	sum := func(names ...string) (float64, bool) {
		total := 0.0
		for _, n := range names {
			v, ok := rp.res.ns("Floor/" + n)
			if !ok {
				return 0, false
			}
			total += v
		}
		return total, true
	}
	var label string
	var parts []string
	switch st {
	case memoryStore:
		parts = map[string][]string{
			"read":  {"harness-noop", "syncmap-get"},
			"write": {"harness-noop", "syncmap-get", "syncmap-set"},
			"new":   {"harness-noop", "syncmap-set"},
		}[cycle]
		label = "harness + " + strings.Join(parts[1:], " + ")
	case redisStore:
		parts = []string{map[string]string{"read": "goredis-get", "write": "goredis-get+set", "new": "goredis-set"}[cycle]}
		label = parts[0]
	case postgresStore:
		parts = []string{map[string]string{"read": "pgx-select", "write": "pgx-select+update", "new": "pgx-insert"}[cycle]}
		label = parts[0]
	case cookieStore:
		parts, label = []string{"harness-noop"}, "harness-noop"
	}
	v, ok := sum(parts...)
	return label, v, ok
}

// rawRate returns the raw store's rate for the operations a cycle needs,
// from redis-benchmark or pgbench (mean of before and after), and its
// label; ok is false for in-process stores or missing baselines.
func (rp *report) rawRate(st store, cycle string) (string, float64, bool) {
	var label string
	var v float64
	switch st {
	case redisStore:
		get, set := rp.redis["GET"].mean(), rp.redis["SET"].mean()
		switch cycle {
		case "read":
			label, v = "GET", get
		case "write":
			label, v = "GET then SET", combined(get, set)
		case "new":
			label, v = "SET", set
		}
	case postgresStore:
		sel, upd, ins := rp.pg["select"].mean(), rp.pg["update"].mean(), rp.pg["insert"].mean()
		switch cycle {
		case "read":
			label, v = "select", sel
		case "write":
			label, v = "select then update", combined(sel, upd)
		case "new":
			label, v = "insert", ins
		}
	default:
		return "", 0, false
	}
	return label, v, v > 0 && !math.IsNaN(v)
}

// ratio returns how many times faster a is than b from their ns/op.
func ratio(aNs, bNs float64) float64 { return bNs / aNs }
