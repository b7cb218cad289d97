package bench

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/postgres"
	"github.com/typedsession/sessions/internal/workload"
)

// floorValueSize is the size of the floors' values, about what the
// subjects keep per session.
const floorValueSize = 250

// BenchmarkFloor measures, in the same run as the cycles, what the
// subjects cannot beat: the harness around a handler that does nothing
// (at both parallelisms), bare go-redis and pgx calls of the shapes the
// cycles need, and bare in-process maps.
func BenchmarkFloor(b *testing.B) {
	noop := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	b.Run("harness-noop", func(b *testing.B) {
		timed(b, []*http.Request{workload.NewRequest()}, noop, nil, nil)
	})
	b.Run("harness-noop-32", func(b *testing.B) {
		b.SetParallelism(networkParallelism)
		timed(b, []*http.Request{workload.NewRequest()}, noop, nil, nil)
	})
	b.Run("goredis-get", func(b *testing.B) { redisFloor(b, true, false) })
	b.Run("goredis-set", func(b *testing.B) { redisFloor(b, false, true) })
	b.Run("goredis-get+set", func(b *testing.B) { redisFloor(b, true, true) })
	b.Run("pgx-select", func(b *testing.B) { pgFloor(b, "select") })
	b.Run("pgx-update", func(b *testing.B) { pgFloor(b, "update") })
	b.Run("pgx-select+update", func(b *testing.B) { pgFloor(b, "select", "update") })
	b.Run("pgx-insert", func(b *testing.B) { pgFloor(b, "insert") })
	b.Run("syncmap-get", func(b *testing.B) { mapFloor(b, syncMapGet) })
	b.Run("syncmap-set", func(b *testing.B) { mapFloor(b, syncMapSet) })
	b.Run("rwmutex-map-get", func(b *testing.B) { mapFloor(b, lockedMapGet) })
	b.Run("rwmutex-map-set", func(b *testing.B) { mapFloor(b, lockedMapSet) })
}

// redisFloor runs a bare GET and/or SET of a 250-byte value under one
// precomputed key per request, with 32 goroutines over the shared pool.
func redisFloor(b *testing.B, get, set bool) {
	client := shared.servers.redis(b)
	key, value := "bench:floor", strings.Repeat("v", floorValueSize)
	if err := client.Set(context.Background(), key, value, 0).Err(); err != nil {
		b.Fatal(err)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if get {
			if got, err := client.Get(r.Context(), key).Result(); err != nil || len(got) != len(value) {
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
		}
		if set {
			if err := client.Set(r.Context(), key, value, 0).Err(); err != nil {
				w.WriteHeader(http.StatusInternalServerError)
			}
		}
	})
	b.SetParallelism(networkParallelism)
	timed(b, floorRequests(), h, client, nil)
}

// floorRequests returns one request per population member, each with its
// own Cookie header; floors that need the member find it by that header.
func floorRequests() []*http.Request {
	names := make([]string, workload.PopulationSize)
	for i := range names {
		names[i] = strconv.Itoa(i)
	}
	return workload.Requests("floor", names)
}

// pgFloorTable holds the PostgreSQL floors' rows: this library's table,
// with 10,000 live rows whose IDs are the SHA-256 of their number.
const pgFloorTable = pgSchema + ".floor"

// The PostgreSQL floors' statements, of the shapes the store sends: a
// select of one live row by ID, an update of its value and expiry, and an
// insert of a new row that may take over an expired one.
const (
	floorSelect = `SELECT value, owner, created_at, expires_at, version, persistent
FROM ` + pgFloorTable + ` WHERE id = $1 AND expires_at > $2`
	floorUpdate = `UPDATE ` + pgFloorTable + ` SET value = $2, expires_at = $3, version = version + 1
WHERE id = $1 AND expires_at > $4`
	floorInsert = `INSERT INTO ` + pgFloorTable + ` AS s (id, value, owner, created_at, expires_at, version, persistent)
VALUES ($1, $2, '', $3, $4, 1, false)
ON CONFLICT (id) DO UPDATE SET
	value = EXCLUDED.value, owner = EXCLUDED.owner, created_at = EXCLUDED.created_at,
	expires_at = EXCLUDED.expires_at, version = 1, persistent = EXCLUDED.persistent
WHERE s.expires_at <= $5`
)

// pgFloorOnce fills the floor table once per process.
var pgFloorOnce sync.Once

// floorID returns the ID of floor row i (counted from 1), as the pgbench
// scripts compute it: sha256(int8send(i)).
func floorID(i int) []byte {
	sum := sha256.Sum256(binary.BigEndian.AppendUint64(nil, uint64(i)))
	return sum[:]
}

func preparePGFloor(b *testing.B, pool *pgxpool.Pool) []byte {
	value, err := sessions.JSON[workload.Value]().Marshal(workload.NewCycleValue())
	if err != nil {
		b.Fatal(err)
	}
	var setupErr error
	pgFloorOnce.Do(func() {
		ctx := context.Background()
		ddl, err := postgres.Schema(pgFloorTable)
		if err != nil {
			setupErr = err
			return
		}
		if _, err := pool.Exec(ctx, ddl); err != nil {
			setupErr = err
			return
		}
		_, setupErr = pool.Exec(ctx, `INSERT INTO `+pgFloorTable+` (id, value, owner, created_at, expires_at, version, persistent)
SELECT sha256(int8send(i)), $1, '', $2, $3, 1, false FROM generate_series(1, $4::int) AS i
ON CONFLICT (id) DO NOTHING`, value, time.Now(), time.Now().Add(sessions.DefaultLifetime), workload.PopulationSize)
	})
	if setupErr != nil {
		b.Fatalf("preparing the PostgreSQL floor: %v", setupErr)
	}
	return value
}

// pgFloor runs bare pgx statements, in order, for the member each
// request names, with 32 goroutines over the shared pool.
func pgFloor(b *testing.B, steps ...string) {
	pool := shared.servers.postgres(b)
	value := preparePGFloor(b, pool)
	reqs := floorRequests()
	member := make(map[string]int, len(reqs))
	for i, r := range reqs {
		member[r.Header.Get("Cookie")] = i + 1
	}
	run := map[string]func(ctx context.Context, id []byte, now time.Time) error{
		"select": func(ctx context.Context, id []byte, now time.Time) error {
			var (
				v                []byte
				owner            string
				created, expires time.Time
				version          int64
				persistent       bool
			)
			return pool.QueryRow(ctx, floorSelect, id, now).Scan(&v, &owner, &created, &expires, &version, &persistent)
		},
		"update": func(ctx context.Context, id []byte, now time.Time) error {
			_, err := pool.Exec(ctx, floorUpdate, id, value, now.Add(sessions.DefaultIdleTimeout), now)
			return err
		},
		"insert": func(ctx context.Context, _ []byte, now time.Time) error {
			id := make([]byte, sha256.Size)
			_, _ = rand.Read(id) // crypto/rand.Read never fails
			_, err := pool.Exec(ctx, floorInsert, id, value, now, now.Add(sessions.DefaultIdleTimeout), now)
			return err
		},
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, now := floorID(member[r.Header["Cookie"][0]]), time.Now()
		for _, step := range steps {
			if err := run[step](r.Context(), id, now); err != nil {
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
		}
	})
	b.SetParallelism(networkParallelism)
	timed(b, reqs, h, nil, nil)
}

// mapOp is one in-process floor: a get or set of a 250-byte value in a
// sync.Map or in a map behind a sync.RWMutex.
type mapOp int

const (
	syncMapGet mapOp = iota
	syncMapSet
	lockedMapGet
	lockedMapSet
)

// mapFloor runs op on population members' keys under RunParallel, each
// goroutine walking the keys from its own offset, with no harness around
// it. The operation is picked by a switch rather than an indirect call,
// so that nothing but the map is measured.
func mapFloor(b *testing.B, op mapOp) {
	value := make([]byte, floorValueSize)
	keys := make([]sessions.ID, workload.PopulationSize)
	var (
		sm     sync.Map
		mu     sync.RWMutex
		locked = make(map[sessions.ID][]byte, len(keys))
	)
	for i := range keys {
		keys[i] = sessions.ID(floorID(i + 1))
		sm.Store(keys[i], value)
		locked[keys[i]] = value
	}
	var started, missed atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := int(started.Add(1)*7919) % len(keys)
		for pb.Next() {
			k, ok := keys[i], true
			switch op {
			case syncMapGet:
				_, ok = sm.Load(k)
			case syncMapSet:
				sm.Store(k, value)
			case lockedMapGet:
				mu.RLock()
				_, ok = locked[k]
				mu.RUnlock()
			case lockedMapSet:
				mu.Lock()
				locked[k] = value
				mu.Unlock()
			}
			if !ok {
				missed.Add(1)
			}
			if i++; i == len(keys) {
				i = 0
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
	if n := missed.Load(); n > 0 {
		b.Fatalf("%d keys missing", n)
	}
}
