package bench

import (
	"context"
	"encoding/gob"
	"fmt"
	"os"
	"testing"

	"github.com/typedsession/sessions/internal/workload"
)

// shared holds what the benchmarks of one process share: the server
// connections, and each subject's store with its population, built on
// first use and kept for every -count repetition, as the specification
// asks. It is the package's only state, closed by TestMain.
var shared = newFixtures()

func TestMain(m *testing.M) {
	// The peers keep the value in a map under one key, encoded with gob,
	// which needs the concrete type registered, as their READMEs say.
	gob.Register(workload.Value{})
	if err := resetServers(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	code := m.Run()
	shared.close()
	os.Exit(code)
}
