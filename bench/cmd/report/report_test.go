package main

import (
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func loadFixture(t *testing.T) *report {
	t.Helper()
	rp, err := load("testdata", "-2")
	if err != nil {
		t.Fatal(err)
	}
	return rp
}

func TestBenchstatCSVGivesMediansByNameAndUnit(t *testing.T) {
	rp := loadFixture(t)
	for _, c := range []struct {
		name, unit string
		want       float64
		ci         string
	}{
		{"Cycle/sessions-memory-clone/read", "sec/op", 1e-6, "3%"},
		{"Floor/harness-noop-32", "sec/op", 4.5e-7, "2%"},
		{"Floor/harness-noop", "allocs/op", 4, "0%"},
		{"Idle/sessions-memory-clone/read", "storewrites/op", 0, "0%"},
	} {
		got, ok := rp.res.get(c.name, c.unit)
		if !ok || got.median != c.want || got.ci != c.ci {
			t.Errorf("%s %s = %+v (found %v), want %v ±%s", c.name, c.unit, got, ok, c.want, c.ci)
		}
	}
	if _, ok := rp.res.get("geomean", "sec/op"); ok {
		t.Error("the geomean row was read as a benchmark")
	}
}

func TestBaselinesAreReadFromTheToolsOutput(t *testing.T) {
	rp := loadFixture(t)
	for _, c := range []struct {
		got, want float64
		what      string
	}{
		{rp.redis["GET"].before, 49238, "redis GET"},
		{rp.redis["SET"].before, 48485, "redis SET"},
		{rp.pg["select"].before, 40542.5, "pgbench select"},
		{rp.pg["update"].before, 11193, "pgbench update"},
		{rp.pg["insert"].before, 9766, "pgbench insert"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}
}

func TestCombinedRateIsTheRateOfBothInSequence(t *testing.T) {
	if got := combined(49238, 48485); math.Abs(got-24429) > 1 {
		t.Errorf("combined = %v, want about 24429", got)
	}
	if !math.IsNaN(combined(0, 1)) {
		t.Error("a missing rate must give NaN")
	}
	if got := (series{after: 7}).mean(); got != 7 {
		t.Errorf("mean of an after-only series = %v, want 7", got)
	}
}

func TestTargetsAreJudgedFromTheSitting(t *testing.T) {
	verdicts := make(map[string]string)
	for _, tg := range loadFixture(t).targets() {
		verdicts[tg.what] = tg.verdict()
	}
	for what, want := range map[string]string{
		"sessions-memory-clone read vs scs-memstore+hash":                           "met",
		"sessions-memory-clone write vs scs-memstore+hash":                          "missed by 25%",
		"sessions-memory-clone new vs scs-memstore+hash":                            "missed by 33%",
		"sessions-memory-clone read: allocations per request beyond the harness":    "met",
		"httpsession-memory-clone read: allocations per request beyond the harness": "not measured",
		"sessions-redis-json read vs floor goredis-get":                             "missed by 2%",
		"sessions-redis-json read vs scs-goredisstore":                              "met",
		"sessions-redis-json write vs floor goredis-get+set":                        "not measured",
		"sessions-sealed-json cookie value":                                         "met",
		"sessions-memory-clone read (idle timeout on): storewrites/op":              "met",
	} {
		if got, ok := verdicts[what]; !ok || got != want {
			t.Errorf("%q: verdict %q (present %v), want %q", what, got, ok, want)
		}
	}
}

func TestRunWritesTheReportAndTheChart(t *testing.T) {
	dir := t.TempDir()
	md, chart := filepath.Join(dir, "BENCHMARKS.md"), filepath.Join(dir, "img", "chart.png")
	if err := os.Mkdir(filepath.Dir(chart), 0o755); err != nil {
		t.Fatal(err)
	}
	notes := filepath.Join(dir, "notes.md")
	if err := os.WriteFile(notes, []byte("A hand-written note."), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run("testdata", md, chart, notes, "-2"); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, want := range []string{
		"![The headline ratios against their targets](img/chart.png)",
		"| sessions-memory-clone read vs scs-memstore+hash | 12.00× | ≥ 10.00× | met |",
		"| sessions-memory-clone write vs scs-memstore+hash | 7.50× | ≥ 10.00× | **missed by 25%** |",
		"| sessions-redis-json | 32 | 60000 ±7% | 36 | — | 16667 | — | — | 0.34 (GET) |",
		"| sessions-memory-clone | 12.00× | 100.00× | — |",
		"| sessions-redis-json | 0.20× | 1.67× | 0.83× (goredis-get) |",
		"go version go1.26.8",
		"A hand-written note.",
		"-cpuprofile",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	f, err := os.Open(chart)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("the chart is not a PNG: %v", err)
	}
	if bars := 18; img.Bounds().Dy() != chartTop+bars*rowHeight+chartBottom {
		t.Errorf("chart height %d, want room for %d bars", img.Bounds().Dy(), bars)
	}
}

func TestRunNeedsTheBenchmarkOutput(t *testing.T) {
	dir := t.TempDir()
	if err := run(dir, filepath.Join(dir, "out.md"), "", "", "-2"); err == nil {
		t.Error("run without bench.txt and benchstat.csv succeeded")
	}
}
