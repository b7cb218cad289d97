package goredis

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/typedsession/sessions"
)

func TestRecordsRoundTripThroughTheirStoredForm(t *testing.T) {
	type value struct {
		N    int
		Tags []string
	}
	codec := sessions.JSON[value]()
	created := time.Date(2030, 1, 2, 3, 4, 5, 6_000_000, time.UTC)
	cases := []sessions.Record[value]{
		{Value: value{N: 1, Tags: []string{"a"}}, CreatedAt: created, ExpiresAt: created.Add(time.Hour), Version: 1},
		{Value: value{N: -7}, CreatedAt: created, ExpiresAt: created.Add(400 * 24 * time.Hour), Owner: "alice", Version: math.MaxUint64, Persistent: true},
		{CreatedAt: time.UnixMilli(-1).UTC(), ExpiresAt: time.UnixMilli(0).UTC(), Owner: strings.Repeat("ö", sessions.MaxOwnerLen/2), Version: 3},
	}
	for _, want := range cases {
		payload, err := codec.Marshal(want.Value)
		if err != nil {
			t.Fatal(err)
		}
		times := recordTimes{created: msOf(want.CreatedAt), expires: msOf(want.ExpiresAt), indexed: 42}
		data := appendRecord(nil, want.Version, times, want.Owner, want.Persistent, payload)
		// Load's path: the header, then the payload.
		h, err := parseHeader(data)
		if err != nil {
			t.Fatalf("parseHeader: %v", err)
		}
		got, err := toRecord(h, codec)
		if err != nil {
			t.Fatalf("toRecord: %v", err)
		}
		if got.Value.N != want.Value.N || len(got.Value.Tags) != len(want.Value.Tags) ||
			!got.CreatedAt.Equal(want.CreatedAt) || !got.ExpiresAt.Equal(want.ExpiresAt) ||
			got.Owner != want.Owner || got.Version != want.Version || got.Persistent != want.Persistent {
			t.Errorf("round trip: got %+v, want %+v", got, want)
		}
		if h.indexed != 42 {
			t.Errorf("indexed %d, want 42", h.indexed)
		}
	}
}

func TestStoredInstantsAreWholeMillisecondsRoundedDown(t *testing.T) {
	for _, tc := range []struct {
		t    time.Time
		want int64
	}{
		{time.UnixMilli(1000).Add(999 * time.Microsecond), 1000},
		{time.UnixMilli(-1000).Add(500 * time.Microsecond), -1000},
		{time.UnixMilli(5), 5},
	} {
		if got := msOf(tc.t); got != tc.want {
			t.Errorf("msOf(%v) = %d, want %d", tc.t, got, tc.want)
		}
	}
}

func TestTTLIsPositiveAndBounded(t *testing.T) {
	for _, tc := range []struct {
		name                string
		expires, now, wants int64
	}{
		{"ordinary", 10_000, 1_000, 9_000},
		{"one millisecond left", 1_001, 1_000, 1},
		{"already expired", 1_000, 1_000, 1},
		{"long expired", math.MinInt64, 1_000, 1},
		{"beyond a hundred years", math.MaxInt64, 0, maxPX},
		{"overflowing", math.MaxInt64, math.MinInt64 + 1, maxPX},
	} {
		if got := ttl(tc.expires, tc.now); got != tc.wants {
			t.Errorf("%s: ttl(%d, %d) = %d, want %d", tc.name, tc.expires, tc.now, got, tc.wants)
		}
	}
}

func TestIndexEntriesOutliveTheLifetimeAndTheExpiry(t *testing.T) {
	s := &Store[int]{lifetime: time.Hour}
	for _, tc := range []struct {
		name                     string
		created, expires, wanted int64
	}{
		{"within the lifetime", 0, 1_000, 3_600_000},
		{"beyond the lifetime", 0, 7_200_000, 7_200_000},
		{"overflowing", math.MaxInt64 - 5, math.MaxInt64 - 1, math.MaxInt64 - 1},
	} {
		if got := s.indexedUntil(tc.created, tc.expires); got != tc.wanted {
			t.Errorf("%s: indexedUntil = %d, want %d", tc.name, got, tc.wanted)
		}
	}
}

func FuzzParseHeader(f *testing.F) {
	f.Add(appendRecord(nil, 1, recordTimes{1, 2, 3}, "owner", true, []byte(`j{}`)))
	f.Add(appendRecord(nil, 7, recordTimes{-1, 0, 0}, "", false, nil))
	f.Add([]byte("not a record"))
	f.Add([]byte{})
	codec := sessions.JSON[map[string]any]()
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := parseHeader(data)
		if err != nil {
			if !errors.Is(err, sessions.ErrDecode) {
				t.Fatalf("parseHeader error %v does not wrap ErrDecode", err)
			}
			return
		}
		// A record that parses has exactly one stored form.
		again := appendRecord(nil, h.version, recordTimes{h.created, h.expires, h.indexed}, string(h.owner), h.persistent, h.payload)
		if !bytes.Equal(again, data) {
			t.Fatalf("re-encoded %x, stored %x", again, data)
		}
		if _, err := toRecord(h, codec); err != nil && !errors.Is(err, sessions.ErrDecode) {
			t.Fatalf("payload error %v does not wrap ErrDecode", err)
		}
	})
}
