package sealed

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/typedsession/sessions"
)

func TestHeaderRoundTrips(t *testing.T) {
	for _, h := range []header{
		{},
		{sid: [sidLen]byte{1, 2, 3}, version: 1, created: 1_893_456_000_000, expires: 1_893_457_800_000, persistent: true},
		{version: math.MaxUint64, created: math.MinInt64 / 2, expires: math.MaxInt64 / 2, generation: math.MaxUint64, owner: strings.Repeat("o", sessions.MaxOwnerLen)},
		{created: -5, expires: -10, owner: "ann"},
	} {
		b := h.appendTo(nil)
		if len(b) > maxHeaderLen(len(h.owner)) {
			t.Errorf("%d header bytes, bound %d", len(b), maxHeaderLen(len(h.owner)))
		}
		got, payload, err := parseHeader(append(b, "payload"...))
		if err != nil || got != h || string(payload) != "payload" {
			t.Errorf("parseHeader(appendTo(%+v)) = %+v, %q, %v", h, got, payload, err)
		}
	}
}

func TestParseHeaderAcceptsOnlyWhatAppendToWrites(t *testing.T) {
	valid := (&header{version: 1, created: 1000, expires: 2000, owner: "ann"}).appendTo(nil)
	sid := valid[:sidLen]
	with := func(parts ...[]byte) []byte {
		out := append([]byte(nil), sid...)
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	long := strings.Repeat("o", sessions.MaxOwnerLen+1)
	for name, b := range map[string][]byte{
		"empty":                  nil,
		"truncated":              valid[:len(valid)-1],
		"unknown flag":           with([]byte{2, 1, 0, 0, 0, 0}),
		"non-minimal version":    with([]byte{0, 0x81, 0x00, 0, 0, 0, 0}),
		"non-minimal owner len":  with([]byte{0, 1, 0, 0, 0, 0x80, 0x00}),
		"overlong varint":        with([]byte{0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0, 0, 0, 0}),
		"owner past the end":     with([]byte{0, 1, 0, 0, 0, 5, 'a'}),
		"owner over the maximum": with([]byte{0, 1, 0, 0, 0, 0x81, 0x02}, []byte(long)),
		"expiry overflows":       with([]byte{0, 1}, []byte{0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, []byte{0x02, 0, 0}),
	} {
		if _, _, err := parseHeader(b); !errors.Is(err, sessions.ErrTampered) {
			t.Errorf("%s: parseHeader = %v, want ErrTampered", name, err)
		}
	}
	if _, _, err := parseHeader(valid); err != nil {
		t.Errorf("the valid header: %v", err)
	}
}

func TestValidSyntax(t *testing.T) {
	ok := strings.Repeat("A", minTokenLen)
	for _, tc := range []struct {
		s    string
		want bool
	}{
		{ok, true},
		{ok[1:], false},
		{ok + "A", true},
		{ok + "AA", true},
		{ok + "AAA", false}, // a length no byte string encodes to
		{ok[:len(ok)-1] + "=", false},
		{ok[:len(ok)-1] + "+", false},
		{ok[:len(ok)-1] + "/", false},
		{strings.Repeat("A", 100), false}, // over the maximum below
	} {
		if got := validSyntax(tc.s, 99); got != tc.want {
			t.Errorf("validSyntax(%d chars ending %q) = %v, want %v", len(tc.s), tc.s[len(tc.s)-1:], got, tc.want)
		}
	}
	if minTokenLen != 90 {
		t.Errorf("minTokenLen = %d; update the external tests' copy", minTokenLen)
	}
}

func TestInAlphabetAcceptsExactlyBase64URL(t *testing.T) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for c := range 256 {
		want := strings.IndexByte(alphabet, byte(c)) >= 0
		if got := inAlphabet(byte(c)); got != want {
			t.Errorf("inAlphabet(%q) = %v, want %v", byte(c), got, want)
		}
	}
}
