package bench

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/internal/workload"
)

// probeOutEnv names a file TestBehaviour writes its rows to, as JSON, for
// cmd/report.
const probeOutEnv = "BENCH_PROBE_OUT"

// probeRow is what one untimed request through one subject did.
type probeRow struct {
	Subject string `json:"subject"`
	Cycle   string `json:"cycle"`
	Status  int    `json:"status"`
	// SetCookieBytes is the length of the Set-Cookie header's value, 0
	// when none was sent.
	SetCookieBytes int `json:"set_cookie_bytes"`
	// CookieBytes is the length of the session cookie's value the client
	// holds after the request.
	CookieBytes int `json:"cookie_bytes"`
	// StoreReads and StoreWrites count the store calls, -1 when the
	// session lives in the cookie and there is no store to count.
	StoreReads  int64 `json:"store_reads"`
	StoreWrites int64 `json:"store_writes"`
	// RedisCommands lists the commands the client sent, for Redis stores.
	RedisCommands string `json:"redis_commands,omitempty"`
	// AtRest describes the size of the value where the store keeps it.
	AtRest string `json:"at_rest"`
}

// TestBehaviour sends one untimed request per cycle through every subject
// (after one warm-up request per cycle on another session) and records
// what each did. It fails when a request misses its session, when a write
// is not visible to the next read, or when a read-only request through
// this library writes to the store or sends Set-Cookie.
func TestBehaviour(t *testing.T) {
	p := &prober{parent: t}
	var rows []probeRow
	probed := append(subjects(),
		renamed(scsSubject("scs-memstore+hash", inMemory, true, idleTimeout), "scs-memstore+hash (IdleTimeout=30m)"),
		renamed(scsSubject("scs-goredisstore", inRedis, false, idleTimeout), "scs-goredisstore (IdleTimeout=30m)"),
	)
	for _, s := range probed {
		t.Run(s.name, func(t *testing.T) { rows = append(rows, p.probe(t, s)...) })
	}
	t.Run("sessions-memory-clone past the touch interval", func(t *testing.T) {
		rows = append(rows, p.probeTouch(t)...)
	})
	t.Log("\n" + probeTable(rows))
	if path := os.Getenv(probeOutEnv); path != "" {
		data, err := json.MarshalIndent(rows, "", "  ")
		if err == nil {
			err = os.WriteFile(path, append(data, '\n'), 0o644)
		}
		if err != nil {
			t.Fatalf("writing %s: %v", path, err)
		}
	}
}

func renamed(s subject, name string) subject {
	s.name = name
	return s
}

// prober holds the probe's own connections: a small pool each, and a
// Redis client that logs the commands it sends.
type prober struct {
	parent *testing.T
	mu     sync.Mutex
	rdb    *redis.Client
	pg     *pgxpool.Pool
	cmds   commandLog
}

func (p *prober) redis(tb testing.TB) *redis.Client {
	tb.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.rdb == nil {
		p.rdb = newRedisClient(tb, 4, &p.cmds)
		p.parent.Cleanup(func() { _ = p.rdb.Close() })
	}
	return p.rdb
}

func (p *prober) postgres(tb testing.TB) *pgxpool.Pool {
	tb.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pg == nil {
		p.pg = newPGPool(tb, 4)
		p.parent.Cleanup(p.pg.Close)
	}
	return p.pg
}

// exchange is one probed request and what it did.
type exchange struct {
	w      *httptest.ResponseRecorder
	row    probeRow
	cookie string // the session cookie the client holds afterwards
}

// send serves r through h and counts what it did. cookie is the session
// cookie the client held before.
func (p *prober) send(s subject, counts *storeCounts, cycle string, h http.Handler, r *http.Request, cookie string) exchange {
	p.cmds.take()
	reads, writes := counts.reads.Load(), counts.writes.Load()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	row := probeRow{Subject: s.name, Cycle: cycle, Status: w.Code, StoreReads: -1, StoreWrites: -1}
	if s.kind != inCookie {
		row.StoreReads, row.StoreWrites = counts.reads.Load()-reads, counts.writes.Load()-writes
	}
	if s.kind == inRedis {
		row.RedisCommands = p.cmds.take()
	}
	if sc := w.Header().Get("Set-Cookie"); sc != "" {
		row.SetCookieBytes = len(sc)
	}
	if c, ok := sessionCookie(w); ok {
		cookie = c
	}
	row.CookieBytes = len(cookie)
	return exchange{w: w, row: row, cookie: cookie}
}

// probe builds s on the probe's connections and sends it one request per
// cycle.
func (p *prober) probe(t *testing.T, s subject) []probeRow {
	counts := &storeCounts{trackReads: true}
	a := s.build(t, deps{redis: p.redis, postgres: p.postgres, counts: counts})
	if a.close != nil {
		t.Cleanup(a.close)
	}
	ctx := t.Context()
	warm, err := a.mint(ctx, 1)
	if err != nil {
		t.Fatalf("creating a session: %v", err)
	}
	token, err := a.mint(ctx, 0)
	if err != nil {
		t.Fatalf("creating a session: %v", err)
	}
	atRest := ""
	if a.atRest != nil {
		if atRest, err = a.atRest(ctx, token); err != nil {
			t.Fatalf("measuring the value at rest: %v", err)
		}
	}
	// One request per cycle on another session first, so the probe sees
	// the steady state: pooled connections, cached scripts, compiled
	// statements.
	for _, h := range []http.Handler{a.read, a.write, a.create} {
		p.send(s, counts, "warm-up", h, requestWith(warm), warm)
	}

	read := p.send(s, counts, "read", a.read, requestWith(token), token)
	write := p.send(s, counts, "write", a.write, requestWith(read.cookie), read.cookie)
	created := p.send(s, counts, "new", a.create, workload.NewRequest(), "")
	rows := []probeRow{read.row, write.row, created.row}
	for i := range rows {
		rows[i].AtRest = atRest
		if rows[i].Status != http.StatusOK {
			t.Errorf("%s: status %d, want 200", rows[i].Cycle, rows[i].Status)
		}
	}
	if n, err := a.visits(ctx, write.cookie); err != nil || n != 1 {
		t.Errorf("after one write the next read sees Visits %d (%v), want 1", n, err)
	}
	if write.row.SetCookieBytes == 0 || created.row.SetCookieBytes == 0 {
		t.Errorf("write and new must send Set-Cookie: write %d bytes, new %d bytes",
			write.row.SetCookieBytes, created.row.SetCookieBytes)
	}
	if s.library {
		checkQuietRead(t, read.row)
	}
	return rows
}

// checkQuietRead fails t if a read-only request through this library
// wrote to its store or sent Set-Cookie.
func checkQuietRead(t *testing.T, row probeRow) {
	t.Helper()
	if row.StoreWrites > 0 || row.SetCookieBytes > 0 {
		t.Errorf("a read-only request wrote %d times to the store and sent a %d-byte Set-Cookie; want neither",
			row.StoreWrites, row.SetCookieBytes)
	}
}

// probeTouch shows the other side of the touch throttle: once a session
// is older than the touch interval, one read writes its new expiry (and
// sends the cookie), and the next read is quiet again.
func (p *prober) probeTouch(t *testing.T) []probeRow {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	s := library("sessions-memory-clone", inMemory, workload.MakeValue, nil, agnostic)
	counts := &storeCounts{trackReads: true}
	a := s.build(t, deps{counts: counts, clock: clock})
	t.Cleanup(a.close)
	token, err := a.mint(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	now = now.Add(sessions.DefaultIdleTimeout/10 + time.Second) // past the default touch interval
	mu.Unlock()
	s.name += " (clock past the touch interval)"
	touched := p.send(s, counts, "read", a.read, requestWith(token), token)
	again := p.send(s, counts, "read again", a.read, requestWith(touched.cookie), touched.cookie)
	if r := touched.row; r.Status != http.StatusOK || r.StoreWrites != 1 || r.SetCookieBytes == 0 {
		t.Errorf("the first read past the touch interval: status %d, %d store writes, %d-byte Set-Cookie; want 200, 1 and a cookie",
			r.Status, r.StoreWrites, r.SetCookieBytes)
	}
	checkQuietRead(t, again.row)
	return []probeRow{touched.row, again.row}
}

// probeTable formats rows as a Markdown table for the test log.
func probeTable(rows []probeRow) string {
	var b strings.Builder
	b.WriteString("| subject | cycle | status | Set-Cookie | cookie value | store reads | store writes | Redis commands | value at rest |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %d | %s | %d | %s | %s | %s | %s |\n", r.Subject, r.Cycle, r.Status,
			setCookieText(r.SetCookieBytes), r.CookieBytes, countText(r.StoreReads), countText(r.StoreWrites),
			dash(r.RedisCommands), dash(r.AtRest))
	}
	return b.String()
}

func setCookieText(n int) string {
	if n == 0 {
		return "no"
	}
	return fmt.Sprintf("yes (%d B)", n)
}

func countText(n int64) string {
	if n < 0 {
		return "— (cookie only)"
	}
	return fmt.Sprint(n)
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
