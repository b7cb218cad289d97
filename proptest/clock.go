package proptest

import (
	"time"

	"github.com/typedsession/sessions/internal/testclock"
)

// clock is the time the Manager kit hands a Manager: the Manager reads it
// through the function passed to newManager, and only the kit moves it.
// It is safe for concurrent use, since the kit's goroutines and test
// servers read it too.
type clock = testclock.Clock

func newClock(start time.Time) *clock { return testclock.New(start) }
