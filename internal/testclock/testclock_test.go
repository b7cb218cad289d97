package testclock_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/typedsession/sessions/internal/testclock"
)

var start = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

func TestTheClockMovesOnlyWhenTold(t *testing.T) {
	tests := []struct {
		name string
		move func(*testclock.Clock)
		want time.Time
	}{
		{"untouched", func(*testclock.Clock) {}, start},
		{"advanced", func(c *testclock.Clock) { c.Advance(time.Hour) }, start.Add(time.Hour)},
		{"advanced twice", func(c *testclock.Clock) { c.Advance(time.Minute); c.Advance(time.Second) }, start.Add(time.Minute + time.Second)},
		{"moved back", func(c *testclock.Clock) { c.Advance(-time.Hour) }, start.Add(-time.Hour)},
		{"set", func(c *testclock.Clock) { c.Set(start.AddDate(1, 0, 0)) }, start.AddDate(1, 0, 0)},
		{"set, then advanced", func(c *testclock.Clock) { c.Set(start.Add(-time.Minute)); c.Advance(time.Minute) }, start},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testclock.New(start)
			tt.move(c)
			if got := c.Now(); !got.Equal(tt.want) {
				t.Fatalf("Now() = %v, want %v", got, tt.want)
			}
			if got := c.Now(); !got.Equal(tt.want) {
				t.Fatalf("a second Now() = %v, want %v still", got, tt.want)
			}
		})
	}
}

func TestConcurrentAdvancesAllCount(t *testing.T) {
	const goroutines, steps = 8, 100
	c := testclock.New(start)
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range steps {
				c.Advance(time.Millisecond)
				_ = c.Now()
			}
		})
	}
	wg.Wait()
	if got, want := c.Now(), start.Add(goroutines*steps*time.Millisecond); !got.Equal(want) {
		t.Fatalf("Now() = %v, want %v", got, want)
	}
}

func ExampleClock() {
	c := testclock.New(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	now := c.Now // what a clock option takes
	c.Advance(90 * time.Minute)
	fmt.Println(now().Format(time.DateTime))
	c.Set(time.Date(2031, 6, 1, 0, 0, 0, 0, time.UTC))
	fmt.Println(now().Format(time.DateTime))
	// Output:
	// 2030-01-02 04:34:05
	// 2031-06-01 00:00:00
}
