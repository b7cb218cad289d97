package janitor

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

func TestSweepRunsOncePerInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var sweeps atomic.Int32
		j := Start(time.Minute, func(context.Context) { sweeps.Add(1) })
		defer j.Stop()

		synctest.Wait()
		if n := sweeps.Load(); n != 0 {
			t.Fatalf("sweeps before the first interval = %d, want 0", n)
		}
		for want := int32(1); want <= 5; want++ {
			time.Sleep(time.Minute)
			synctest.Wait()
			if n := sweeps.Load(); n != want {
				t.Fatalf("sweeps after %d intervals = %d, want %d", want, n, want)
			}
		}
	})
}

func TestSweepRunsRepeatedlyInRealTime(t *testing.T) {
	var sweeps atomic.Int32
	j := Start(time.Millisecond, func(context.Context) { sweeps.Add(1) })
	defer j.Stop()

	deadline := time.Now().Add(10 * time.Second)
	for sweeps.Load() < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("only %d sweeps in 10s at a 1ms interval", sweeps.Load())
		}
		time.Sleep(time.Millisecond)
	}
}

func TestStopWaitsForSweepInProgressAndCancelsItsContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		started := make(chan struct{})
		var finished atomic.Bool
		var sawCancel atomic.Bool
		j := Start(time.Second, func(ctx context.Context) {
			close(started)
			<-ctx.Done()
			sawCancel.Store(true)
			// Work after the cancellation that Stop must still wait for.
			time.Sleep(time.Hour)
			finished.Store(true)
		})

		<-started
		j.Stop()
		if !sawCancel.Load() {
			t.Error("the sweep's context was not cancelled by Stop")
		}
		if !finished.Load() {
			t.Error("Stop returned before the sweep in progress finished")
		}
	})
}

func TestStopLeavesNoGoroutine(t *testing.T) {
	before := runtime.NumGoroutine()
	j := Start(time.Millisecond, func(context.Context) {})
	j.Stop()

	select {
	case <-j.done:
	default:
		t.Fatal("the janitor's goroutine has not returned after Stop")
	}
	// Other tests' goroutines may still be winding down; give the count a
	// moment to settle instead of failing on a transient.
	for range 100 {
		if runtime.NumGoroutine() <= before {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("goroutines: %d before Start, %d after Stop", before, runtime.NumGoroutine())
}

func TestStopIsIdempotentAndSafeConcurrently(t *testing.T) {
	j := Start(time.Millisecond, func(context.Context) {})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(j.Stop)
	}
	wg.Wait()
	j.Stop()
}

func TestNoSweepAfterStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var sweeps atomic.Int32
		j := Start(time.Second, func(context.Context) { sweeps.Add(1) })
		time.Sleep(time.Second)
		synctest.Wait()
		j.Stop()
		n := sweeps.Load()
		time.Sleep(time.Hour)
		if got := sweeps.Load(); got != n {
			t.Errorf("sweeps went from %d to %d after Stop", n, got)
		}
	})
}

func TestStartWithoutWorkReturnsNilThatStops(t *testing.T) {
	tests := []struct {
		name     string
		interval time.Duration
		sweep    func(context.Context)
	}{
		{"zero interval", 0, func(context.Context) {}},
		{"negative interval", -time.Second, func(context.Context) {}},
		{"nil sweep", time.Second, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := Start(tt.interval, tt.sweep)
			if j != nil {
				t.Fatalf("Start(%v, …) = %v, want nil", tt.interval, j)
			}
			j.Stop() // must not panic
		})
	}
}
