// Package janitor runs the one ticker loop that sweeps expired records out
// of the stores that keep them until told otherwise (the memory store and
// the PostgreSQL store).
//
// A Janitor owns exactly one goroutine. Stop cancels the context handed to
// the sweep, so a long sweep can give up early, and waits for the goroutine
// to return, so a closed store never has a sweep still touching it.
package janitor

import (
	"context"
	"time"
)

// Janitor runs a sweep function at a fixed interval until stopped. The
// zero value is not usable; call [Start]. A nil *Janitor is a janitor that
// runs nothing, and stopping it is a no-op.
type Janitor struct {
	cancel context.CancelFunc
	done   chan struct{} // closed when the goroutine has returned
}

// Start runs sweep every interval in its own goroutine until [Janitor.Stop].
// sweep receives a context that Stop cancels. The first sweep runs one
// interval after Start, never at once, so building a store does no work.
// Sweeps never overlap: a sweep that outlasts the interval delays the next
// one instead of piling up.
//
// A non-positive interval or a nil sweep starts nothing and returns nil,
// whose Stop is a no-op; this is how stores let callers disable sweeping.
func Start(interval time.Duration, sweep func(ctx context.Context)) *Janitor {
	if interval <= 0 || sweep == nil {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	j := &Janitor{cancel: cancel, done: make(chan struct{})}
	go j.run(ctx, interval, sweep)
	return j
}

// run is the janitor's goroutine.
func (j *Janitor) run(ctx context.Context, interval time.Duration, sweep func(context.Context)) {
	defer close(j.done)
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			// A tick and a Stop can be ready together and select picks at
			// random; checking again keeps Stop from starting a sweep.
			if ctx.Err() != nil {
				return
			}
			sweep(ctx)
		}
	}
}

// Stop cancels the sweep's context, stops the ticker and waits until the
// goroutine, including any sweep in progress, has returned. It is
// idempotent and safe to call concurrently and on a nil *Janitor. It must
// not be called from inside the sweep function, which would wait for
// itself.
func (j *Janitor) Stop() {
	if j == nil {
		return
	}
	// Both steps are idempotent: cancel may be called any number of times
	// and receiving from a closed channel returns at once.
	j.cancel()
	<-j.done
}
