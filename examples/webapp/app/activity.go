package app

import (
	"strconv"
	"time"

	"github.com/typedsession/sessions"
)

// timing holds the Manager's timeouts, which the devices page needs to
// explain itself.
type timing struct {
	idle, lifetime, touch time.Duration
}

// lastActive estimates when a session last served a request. Every
// request slides the session's idle deadline to that request's time plus
// the idle timeout, writing it at most once per touch interval, so
// ExpiresAt − idle lies within one touch interval before the last
// request. It costs no write of its own. Once the deadline is held by
// the absolute lifetime instead, it says only that the session was
// active after that instant: exact is false.
func (tm timing) lastActive(rec sessions.Record[visit]) (at time.Time, exact bool) {
	if tm.idle == 0 {
		return rec.CreatedAt, false
	}
	at = rec.ExpiresAt.Add(-tm.idle)
	if at.Before(rec.CreatedAt) {
		at = rec.CreatedAt
	}
	return at, rec.ExpiresAt.Before(rec.CreatedAt.Add(tm.lifetime))
}

// deviceRow is one line of the devices page.
type deviceRow struct {
	ID         string
	Label      string
	Started    time.Time
	LastActive time.Time
	Ago        string // LastActive relative to now, in words
	Current    bool
}

// deviceRows turns an owner's sessions into rows, current marks the
// session of the request.
func (tm timing) deviceRows(entries []sessions.Entry[visit], current sessions.ID, now time.Time) []deviceRow {
	rows := make([]deviceRow, 0, len(entries))
	for _, e := range entries {
		at, exact := tm.lastActive(e.Record)
		label := e.Record.Value.Device
		if label == "" {
			label = "Unknown device"
		}
		rows = append(rows, deviceRow{
			ID:         e.ID.String(),
			Label:      label,
			Started:    e.Record.CreatedAt,
			LastActive: at,
			Ago:        tm.ago(now.Sub(at), exact),
			Current:    e.ID == current,
		})
	}
	return rows
}

// ago describes how long ago an estimated instant was, no more precisely
// than the estimate: within a touch interval it is "just now", and an
// instant that is only a lower bound gives a window.
func (tm timing) ago(d time.Duration, exact bool) string {
	switch {
	case !exact:
		return "in the last " + span(d+time.Minute) // round up: a bound
	case d < max(tm.touch, time.Minute):
		return "just now"
	}
	return "about " + span(d) + " ago"
}

// span names a duration in whole minutes or hours, rounded down.
func span(d time.Duration) string {
	if d < time.Hour {
		return plural(int(d/time.Minute), "minute")
	}
	return plural(int(d/time.Hour), "hour")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// words spells a configured duration for the devices page.
func words(d time.Duration) string { return span(d) }
