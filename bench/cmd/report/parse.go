package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// stat is one benchstat summary: the median and its confidence interval
// as benchstat prints it ("7%", "∞").
type stat struct {
	median float64
	ci     string
}

// results holds benchstat's summaries by benchmark name (without the
// "Benchmark" prefix and the GOMAXPROCS suffix) and unit.
type results map[string]map[string]stat

// get returns the summary of name in unit.
func (r results) get(name, unit string) (stat, bool) {
	s, ok := r[name][unit]
	return s, ok
}

// ns returns the median time per operation of name in nanoseconds.
func (r results) ns(name string) (float64, bool) {
	s, ok := r.get(name, "sec/op")
	return s.median * 1e9, ok
}

// parseBenchstatCSV reads the output of benchstat -format csv: blocks of
// a header line, a ",unit,CI" line and "name,median,CI" rows, separated
// by blank lines. procs is the GOMAXPROCS suffix to strip ("-2").
func parseBenchstatCSV(r io.Reader, procs string) (results, error) {
	res := make(results)
	sc := bufio.NewScanner(r)
	unit := ""
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			unit = ""
			continue
		}
		rec, err := csv.NewReader(strings.NewReader(line)).Read()
		if err != nil || len(rec) < 2 {
			continue // benchstat's "goos: linux" preamble and the like
		}
		switch {
		case rec[0] == "" && len(rec) >= 3 && rec[2] == "CI":
			unit = rec[1]
		case rec[0] == "" || unit == "" || rec[0] == "geomean":
		default:
			v, err := strconv.ParseFloat(rec[1], 64)
			if err != nil {
				return nil, fmt.Errorf("benchstat row %q: %w", line, err)
			}
			name := strings.TrimSuffix(rec[0], procs)
			if res[name] == nil {
				res[name] = make(map[string]stat)
			}
			ci := ""
			if len(rec) > 2 {
				ci = rec[2]
			}
			res[name][unit] = stat{median: v, ci: ci}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(res) == 0 {
		return nil, errors.New("no benchmark rows in the benchstat output")
	}
	return res, nil
}

// redisLine matches a redis-benchmark -q result: "GET: 49838.00 requests
// per second, p50=0.327 msec".
var redisLine = regexp.MustCompile(`^([A-Z]+): ([0-9.]+) requests per second`)

// parseRedisBenchmark returns requests per second by command from
// redis-benchmark -q output, whose progress lines end in carriage returns.
func parseRedisBenchmark(r io.Reader) (map[string]float64, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	out := make(map[string]float64)
	for _, line := range strings.FieldsFunc(string(data), func(c rune) bool { return c == '\r' || c == '\n' }) {
		m := redisLine.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		v, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			return nil, err
		}
		out[m[1]] = v
	}
	if len(out) == 0 {
		return nil, errors.New("no results in the redis-benchmark output")
	}
	return out, nil
}

var (
	pgbenchScript = regexp.MustCompile(`^== (\w+)\.sql`)
	pgbenchTPS    = regexp.MustCompile(`^tps = ([0-9.]+) \(without initial connection time\)`)
)

// parsePgbench returns transactions per second by script name from the
// output of the postgres store's pgbench/run.sh, which prints "== name.sql"
// before each pgbench run.
func parsePgbench(r io.Reader) (map[string]float64, error) {
	out := make(map[string]float64)
	sc := bufio.NewScanner(r)
	script := ""
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if m := pgbenchScript.FindStringSubmatch(line); m != nil {
			script = m[1]
			continue
		}
		if m := pgbenchTPS.FindStringSubmatch(line); m != nil && script != "" {
			v, err := strconv.ParseFloat(m[1], 64)
			if err != nil {
				return nil, err
			}
			out[script] = v
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errors.New("no results in the pgbench output")
	}
	return out, nil
}

// probeRow is one row of the behaviour probe, as TestBehaviour writes it.
type probeRow struct {
	Subject        string `json:"subject"`
	Cycle          string `json:"cycle"`
	Status         int    `json:"status"`
	SetCookieBytes int    `json:"set_cookie_bytes"`
	CookieBytes    int    `json:"cookie_bytes"`
	StoreReads     int64  `json:"store_reads"`
	StoreWrites    int64  `json:"store_writes"`
	RedisCommands  string `json:"redis_commands"`
	AtRest         string `json:"at_rest"`
}

func parseProbe(r io.Reader) ([]probeRow, error) {
	var rows []probeRow
	if err := json.NewDecoder(r).Decode(&rows); err != nil {
		return nil, fmt.Errorf("behaviour probe: %w", err)
	}
	return rows, nil
}

// series is a measurement taken before and after the Go benchmarks.
type series struct{ before, after float64 }

// mean returns the mean of the two runs, or the one that exists.
func (s series) mean() float64 {
	switch {
	case s.before > 0 && s.after > 0:
		return (s.before + s.after) / 2
	case s.before > 0:
		return s.before
	}
	return s.after
}

// combined returns the rate of doing a then b in sequence: 1/(1/a+1/b).
func combined(a, b float64) float64 {
	if a <= 0 || b <= 0 {
		return math.NaN()
	}
	return 1 / (1/a + 1/b)
}
