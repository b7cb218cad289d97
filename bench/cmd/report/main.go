// Command report turns the outputs of bench/run.sh into BENCHMARKS.md and
// a PNG chart of the headline ratios.
//
//	go run ./cmd/report -in results -out BENCHMARKS.md -chart benchmarks.png
//
// The input directory holds bench.txt (go test output), benchstat.csv
// (benchstat -format csv), redis-{before,after}.txt and
// redis-p16-{before,after}.txt (redis-benchmark -q), pgbench-{before,after}.txt
// (the postgres store's pgbench/run.sh), probe.json (TestBehaviour with
// BENCH_PROBE_OUT) and env.txt (free text about the machine). Only
// bench.txt and benchstat.csv are required; what is missing is left out.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

func main() {
	in := flag.String("in", "results", "directory with the run's outputs")
	out := flag.String("out", "BENCHMARKS.md", "Markdown file to write")
	chart := flag.String("chart", "benchmarks.png", "PNG chart to write; empty for none")
	notes := flag.String("notes", "", "Markdown file whose text is added to the report's notes")
	procs := flag.String("procs", "-2", "GOMAXPROCS suffix of the benchmark names")
	flag.Parse()
	if err := run(*in, *out, *chart, *notes, *procs); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

func run(in, out, chart, notes, procs string) error {
	rp, err := load(in, procs)
	if err != nil {
		return err
	}
	if notes != "" {
		data, err := os.ReadFile(notes)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		rp.notes = string(data)
	}
	rp.raw = relTo(out, in)
	if chart != "" {
		var buf bytes.Buffer
		if rp.chartN, err = drawChart(&buf, rp.targets()); err != nil {
			return err
		}
		if err := os.WriteFile(chart, buf.Bytes(), 0o644); err != nil {
			return err
		}
		rp.chart = relTo(out, chart)
	}
	var md bytes.Buffer
	if err := rp.write(&md); err != nil {
		return err
	}
	return os.WriteFile(out, md.Bytes(), 0o644)
}

// load reads the run's outputs from dir.
func load(dir, procs string) (*report, error) {
	rp := &report{redis: make(map[string]series), pg: make(map[string]series)}
	var err error
	if err = withFile(dir, "bench.txt", true, func(r io.Reader) error {
		rp.names, err = benchNames(r, procs)
		return err
	}); err != nil {
		return nil, err
	}
	if err = withFile(dir, "benchstat.csv", true, func(r io.Reader) error {
		rp.res, err = parseBenchstatCSV(r, procs)
		return err
	}); err != nil {
		return nil, err
	}
	for _, when := range []string{"before", "after"} {
		for file, suffix := range map[string]string{"redis-" + when + ".txt": "", "redis-p16-" + when + ".txt": "-P16"} {
			if err := withFile(dir, file, false, func(r io.Reader) error {
				rates, err := parseRedisBenchmark(r)
				for cmd, v := range rates {
					rp.redis[cmd+suffix] = setSeries(rp.redis[cmd+suffix], when, v)
				}
				return err
			}); err != nil {
				return nil, err
			}
		}
		if err := withFile(dir, "pgbench-"+when+".txt", false, func(r io.Reader) error {
			rates, err := parsePgbench(r)
			for script, v := range rates {
				rp.pg[script] = setSeries(rp.pg[script], when, v)
			}
			return err
		}); err != nil {
			return nil, err
		}
	}
	if err := withFile(dir, "probe.json", false, func(r io.Reader) error {
		rp.probe, err = parseProbe(r)
		return err
	}); err != nil {
		return nil, err
	}
	if data, err := os.ReadFile(filepath.Join(dir, "env.txt")); err == nil {
		rp.env = string(data)
	}
	return rp, nil
}

// relTo returns path relative to the directory of file, for a link from
// file, or path itself if there is no such relative path.
func relTo(file, path string) string {
	rel, err := filepath.Rel(filepath.Dir(file), path)
	if err != nil {
		return filepath.ToSlash(path)
	}
	return filepath.ToSlash(rel)
}

func setSeries(s series, when string, v float64) series {
	if when == "before" {
		s.before = v
	} else {
		s.after = v
	}
	return s
}

// withFile calls f with the file name in dir. A missing file is an error
// only if it is required.
func withFile(dir, name string, required bool, f func(io.Reader) error) error {
	file, err := os.Open(filepath.Join(dir, name))
	if errors.Is(err, fs.ErrNotExist) && !required {
		return nil
	}
	if err != nil {
		return err
	}
	defer file.Close()
	if err := f(file); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
