package sealed_test

import (
	"net/http"
	"testing"

	"github.com/typedsession/sessions/internal/workload"
)

// BenchmarkCycles runs the workload's three request cycles through the
// framework-agnostic API, in-process, with the default parallelism.
func BenchmarkCycles(b *testing.B) {
	m := newWorkloadManager(b)
	reqs := workload.Requests(m.Cookie().Name, workload.Populate(b, m, workload.MakeValue, 2))
	b.Run("read", func(b *testing.B) {
		workload.Run(b, reqs, workload.ReadHandler(m, workload.Visits[workload.Value]))
	})
	b.Run("write", func(b *testing.B) {
		workload.Run(b, reqs, workload.WriteHandler(m, workload.Bump[workload.Value]))
	})
	b.Run("new", func(b *testing.B) {
		workload.Run(b, []*http.Request{workload.NewRequest()}, workload.NewHandler(m, workload.NewCycleValue()))
	})
}
