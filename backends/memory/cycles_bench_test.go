package memory_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/memory"
	"github.com/typedsession/sessions/internal/workload"
)

// The three request cycles of the benchmark workload on the memory store,
// for a value with a Clone method and one copied through the codec, with
// the harness alone and a bare sync.Map read as floors.

func newCycleManager[V any](b *testing.B) *sessions.Manager[V] {
	b.Helper()
	store, err := memory.New[V]()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	m, err := sessions.New[V](store)
	if err != nil {
		b.Fatal(err)
	}
	return m
}

func benchCycles[V workload.Value | workload.PlainValue](b *testing.B, makeValue func(int) V) {
	m := newCycleManager[V](b)
	reqs := workload.Requests(m.Cookie().Name, workload.Populate(b, m, makeValue, 2))
	b.Run("read", func(b *testing.B) {
		workload.Run(b, reqs, workload.ReadHandler(m, workload.Visits[V]))
	})
	b.Run("write", func(b *testing.B) {
		workload.Run(b, reqs, workload.WriteHandler(m, workload.Bump[V]))
	})
	b.Run("new", func(b *testing.B) {
		// A fresh store per timed run, so the sessions earlier runs
		// created do not pile up in the heap.
		fresh := newCycleManager[V](b)
		workload.Populate(b, fresh, makeValue, 2)
		newValue := makeValue(workload.PopulationSize + 1)
		workload.Run(b, []*http.Request{workload.NewRequest()}, workload.NewHandler(fresh, newValue))
	})
}

func BenchmarkCycles(b *testing.B) {
	b.Run("clone", func(b *testing.B) { benchCycles(b, workload.MakeValue) })
	b.Run("codec", func(b *testing.B) { benchCycles(b, workload.MakePlainValue) })
}

func BenchmarkFloor(b *testing.B) {
	b.Run("harness-noop", func(b *testing.B) {
		workload.Run(b, []*http.Request{workload.NewRequest()}, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	})
	b.Run("syncmap-get", func(b *testing.B) {
		var m sync.Map
		value := make([]byte, 250)
		keys := make([]sessions.ID, workload.PopulationSize)
		for i := range keys {
			keys[i][0], keys[i][1] = byte(i), byte(i>>8)
			m.Store(keys[i], value)
		}
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if _, ok := m.Load(keys[i]); !ok {
					b.Error("missing key")
					return
				}
				if i++; i == len(keys) {
					i = 0
				}
			}
		})
	})
}
