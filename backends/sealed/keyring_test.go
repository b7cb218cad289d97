package sealed_test

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/sealed"
)

func TestNewKeyRingRefusesWeakSecrets(t *testing.T) {
	for _, tc := range []struct {
		name    string
		secrets [][]byte
		weak    bool
	}{
		{"nil", [][]byte{nil}, false},
		{"short", [][]byte{secret(1)[:31]}, true},
		{"all zero", [][]byte{make([]byte, 32)}, true},
		{"one byte repeated", [][]byte{bytes.Repeat([]byte{'x'}, 64)}, true},
		{"a short pattern repeated", [][]byte{[]byte(strings.Repeat("hunter2!", 4))}, true},
		{"few distinct bytes", [][]byte{[]byte("aabbccddaabbccddaabbccddaabbccdX")}, true},
		{"a weak opening secret", [][]byte{secret(1), make([]byte, 32)}, true},
		{"the same secret twice", [][]byte{secret(1), secret(2), secret(1)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ring, err := sealed.NewKeyRing(tc.secrets[0], tc.secrets[1:]...)
			if err == nil {
				t.Fatalf("NewKeyRing = %v, want an error", ring)
			}
			if got := errors.Is(err, sealed.ErrWeakSecret); got != tc.weak {
				t.Errorf("errors.Is(%v, ErrWeakSecret) = %v, want %v", err, got, tc.weak)
			}
		})
	}
}

func TestNewKeyRingAcceptsRandomAndTextSecrets(t *testing.T) {
	for _, s := range [][]byte{
		secret(1),
		[]byte("q3Jt0m2wV7yB9xQeLr4sK8nD1fH6gZaP"),                                 // base64 text
		[]byte("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"), // hex text
	} {
		if _, err := sealed.NewKeyRing(s); err != nil {
			t.Errorf("NewKeyRing(%q): %v", s, err)
		}
	}
	if ring := newRing(t, secret(1), secret(2), secret(3)); ring.Len() != 3 {
		t.Errorf("Len = %d, want 3", ring.Len())
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	ring := newRing(t)
	for name, opt := range map[string]sealed.Option{
		"empty cookie name":  sealed.WithCookieName(""),
		"empty purpose":      sealed.WithPurpose(""),
		"nil codec":          sealed.WithCodec[cart](nil),
		"codec of another V": sealed.WithCodec(sessions.JSON[int]()),
		"nil revocation":     sealed.WithRevocation(nil, testLifetime),
		"zero lifetime":      sealed.WithRevocation(failingBackend{}, 0),
		"over-long lifetime": sealed.WithRevocation(failingBackend{}, sessions.MaxLifetime+1),
		"nil clock":          sealed.WithClock(nil),
	} {
		if _, err := sealed.New[cart](ring, opt); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
	if _, err := sealed.New[cart](nil); err == nil {
		t.Error("New(nil) succeeded")
	}
}

// keyID returns the key ID a token carries.
func keyID(t *testing.T, token string) []byte { return decode(t, token)[1:5] }

func TestKeyRotation(t *testing.T) {
	old, next := secret(1), secret(2)
	before := newFixture(t, fixtureConfig{ring: newRing(t, old)})
	s := before.generate(newCart("ann"))
	oldID := keyID(t, s.Token())
	secretBefore, _ := s.Secret("csrf")

	// Step 2: the new secret opens only; nothing changes for clients.
	staged := newFixture(t, fixtureConfig{ring: newRing(t, old, next)})
	if got := staged.generate(newCart("bob")); !slices.Equal(keyID(t, got.Token()), oldID) {
		t.Error("a ring sealed with an opening-only key")
	}

	// Step 3: the new key seals; old cookies open and are not re-sealed
	// by reads, only by writes.
	promoted := newFixture(t, fixtureConfig{ring: newRing(t, next, old)})
	read := promoted.mustOpen(s.Token())
	if read.Token() != s.Token() || read.Modified() {
		t.Fatal("a read re-sealed the cookie")
	}
	written, err := promoted.m.Set(promoted.ctx, read, newCart("ann2"))
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(keyID(t, written.Token()), oldID) {
		t.Error("a write kept the old key")
	}
	if k, _ := written.Secret("csrf"); k != secretBefore || written.ID() != s.ID() {
		t.Error("re-sealing changed the session's ID or secret")
	}
	// The staged servers open what promoted ones seal.
	staged.mustOpen(written.Token())

	// Step 4: the old key is gone; cookies still sealed with it are absent.
	after := newFixture(t, fixtureConfig{ring: newRing(t, next)})
	after.mustOpen(written.Token())
	if got := after.absent(s.Token()); !slices.Equal(got, []sessions.Reason{sessions.ReasonTampered}) {
		t.Errorf("reasons %v, want [tampered]", got)
	}
}
