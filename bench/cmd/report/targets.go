package main

import (
	"fmt"
	"math"
)

// target is one of the targets the benchmarks are held to.
type target struct {
	what    string
	got     float64 // NaN when not measured
	want    float64
	atMost  bool   // the target is an upper bound
	unit    string // "×" for ratios, else a unit printed after the numbers
	chartOK bool   // a ratio drawn in the chart
}

// verdict says whether the target is met, and if not by how much.
func (t target) verdict() string {
	switch {
	case math.IsNaN(t.got):
		return "not measured"
	case t.atMost && t.got <= t.want, !t.atMost && t.got >= t.want:
		return "met"
	case t.unit == "×":
		return fmt.Sprintf("missed by %.0f%%", 100*(t.want-t.got)/t.want)
	}
	return fmt.Sprintf("missed by %s", trimFloat(math.Abs(t.got-t.want)))
}

func (t target) met() bool { return t.verdict() == "met" }

// targets computes every target from the sitting's figures.
func (rp *report) targets() []target {
	var ts []target
	vsPeer := func(subject, peer, cycle string, want float64) {
		got := math.NaN()
		a, okA := rp.nsOf(subject, cycle)
		b, okB := rp.nsOf(peer, cycle)
		if okA && okB {
			got = ratio(a, b)
		}
		ts = append(ts, target{what: fmt.Sprintf("%s %s vs %s", subject, cycle, peer), got: got, want: want, unit: "×", chartOK: true})
	}
	vsFloor := func(subject, cycle string, want float64) {
		got := math.NaN()
		label, f, okF := rp.floorNs(storeOf(subject), cycle)
		a, okA := rp.nsOf(subject, cycle)
		if okA && okF {
			got = ratio(a, f)
		}
		ts = append(ts, target{what: fmt.Sprintf("%s %s vs floor %s", subject, cycle, label), got: got, want: want, unit: "×", chartOK: true})
	}
	for _, c := range cycles {
		vsPeer("sessions-memory-clone", "scs-memstore+hash", c, map[string]float64{"read": 10, "write": 10, "new": 3}[c])
	}
	ts = append(ts,
		rp.allocsBeyondHarness("sessions-memory-clone", 3),
		rp.allocsBeyondHarness("httpsession-memory-clone", 6))
	for _, s := range []struct {
		subject, peer string
		vsPeer        float64
	}{{"sessions-redis-json", "scs-goredisstore", 1.5}, {"sessions-postgres-json", "scs-pgxstore", 1.3}} {
		for _, c := range cycles {
			vsFloor(s.subject, c, map[string]float64{"read": 0.85, "write": 0.8, "new": 0.8}[c])
		}
		for _, c := range cycles {
			vsPeer(s.subject, s.peer, c, s.vsPeer)
		}
	}
	for _, c := range cycles {
		vsPeer("sessions-sealed-json", "gorilla-cookiestore", c, 5)
	}
	ts = append(ts, rp.sealedCookieSize(451))
	ts = append(ts, rp.quietReads()...)
	return ts
}

// allocsBeyondHarness is the read cycle's allocations per request beyond
// those of the harness.
func (rp *report) allocsBeyondHarness(subject string, want float64) target {
	got := math.NaN()
	a, okA := rp.res.get(cycleName(subject, "read"), "allocs/op")
	h, okH := rp.res.get("Floor/harness-noop", "allocs/op")
	if okA && okH {
		got = a.median - h.median
	}
	return target{what: subject + " read: allocations per request beyond the harness", got: got, want: want, atMost: true, unit: "allocs"}
}

// sealedCookieSize is the size of the sealed store's cookie value for
// the workload's value, from the behaviour probe.
func (rp *report) sealedCookieSize(want float64) target {
	got := math.NaN()
	for _, r := range rp.probe {
		if r.Subject == "sessions-sealed-json" && r.Cycle == "new" {
			got = float64(r.CookieBytes)
		}
	}
	return target{what: "sessions-sealed-json cookie value", got: got, want: want, atMost: true, unit: "bytes"}
}

// quietReads are the read-only targets: no store writes and no
// Set-Cookie while sessions are fresher than the touch interval.
func (rp *report) quietReads() []target {
	var ts []target
	for _, s := range subjectsOf(rp.names, "Idle") {
		if !isLibrary(s) {
			continue
		}
		for _, unit := range []string{"storewrites/op", "setcookie/op"} {
			got := math.NaN()
			if v, ok := rp.res.get("Idle/"+s+"/read", unit); ok {
				got = v.median
			}
			ts = append(ts, target{what: fmt.Sprintf("%s read (idle timeout on): %s", s, unit), got: got, want: 0, atMost: true, unit: unit})
		}
	}
	return ts
}
