package app

import (
	"testing"
	"time"

	"github.com/typedsession/sessions"
)

var t0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

func TestLastActiveIsTheIdleDeadlineMinusTheIdleTimeout(t *testing.T) {
	tm := timing{idle: 30 * time.Minute, lifetime: 24 * time.Hour, touch: 3 * time.Minute}
	for _, tc := range []struct {
		name      string
		created   time.Time
		expires   time.Time
		want      time.Time
		wantExact bool
	}{
		{"fresh session", t0, t0.Add(30 * time.Minute), t0, true},
		{"written an hour in", t0, t0.Add(90 * time.Minute), t0.Add(time.Hour), true},
		{"deadline held by the lifetime", t0, t0.Add(24 * time.Hour), t0.Add(24*time.Hour - 30*time.Minute), false},
		{"never before creation", t0, t0.Add(10 * time.Minute), t0, true},
	} {
		got, exact := tm.lastActive(sessions.Record[visit]{CreatedAt: tc.created, ExpiresAt: tc.expires})
		if !got.Equal(tc.want) || exact != tc.wantExact {
			t.Errorf("%s: lastActive = %v, %v; want %v, %v", tc.name, got, exact, tc.want, tc.wantExact)
		}
	}
}

func TestAgoIsNoMorePreciseThanTheTouchInterval(t *testing.T) {
	tm := timing{idle: 30 * time.Minute, lifetime: 24 * time.Hour, touch: 3 * time.Minute}
	for _, tc := range []struct {
		d     time.Duration
		exact bool
		want  string
	}{
		{0, true, "just now"},
		{2*time.Minute + 59*time.Second, true, "just now"},
		{3 * time.Minute, true, "about 3 minutes ago"},
		{61 * time.Minute, true, "about 1 hour ago"},
		{5 * time.Hour, true, "about 5 hours ago"},
		{10 * time.Minute, false, "in the last 11 minutes"},
		{0, false, "in the last 1 minute"},
	} {
		if got := tm.ago(tc.d, tc.exact); got != tc.want {
			t.Errorf("ago(%v, %v) = %q, want %q", tc.d, tc.exact, got, tc.want)
		}
	}
}

func TestDeviceRowsMarkTheCurrentSession(t *testing.T) {
	tm := timing{idle: 30 * time.Minute, lifetime: 24 * time.Hour, touch: 3 * time.Minute}
	entries := []sessions.Entry[visit]{
		{ID: sessions.ID{1}, Record: sessions.Record[visit]{Value: visit{Device: "Firefox on Windows"}, CreatedAt: t0, ExpiresAt: t0.Add(40 * time.Minute)}},
		{ID: sessions.ID{2}, Record: sessions.Record[visit]{CreatedAt: t0, ExpiresAt: t0.Add(30 * time.Minute)}},
	}
	rows := tm.deviceRows(entries, sessions.ID{2}, t0.Add(20*time.Minute))
	if len(rows) != 2 || rows[0].Current || !rows[1].Current {
		t.Fatalf("rows = %+v, want the second current", rows)
	}
	if rows[0].Label != "Firefox on Windows" || rows[1].Label != "Unknown device" {
		t.Errorf("labels = %q, %q", rows[0].Label, rows[1].Label)
	}
	if rows[0].Ago != "about 10 minutes ago" || rows[1].Ago != "about 20 minutes ago" {
		t.Errorf("ago = %q, %q", rows[0].Ago, rows[1].Ago)
	}
	if rows[0].ID != entries[0].ID.String() {
		t.Errorf("ID = %q, want %q", rows[0].ID, entries[0].ID)
	}
}
