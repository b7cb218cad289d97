package plugcookie_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/plugcookie"
)

// Every alteration of a cookie, in every format, reads as absent: a
// flipped bit anywhere, a truncation, an appended character.
func TestTamperedCookiesAreAbsent(t *testing.T) {
	pinned := encryptedOptions()
	pinned.Encryption = plugcookie.AES128GCM
	for name, o := range map[string]plugcookie.Options{
		"signed":          signedOptions(),
		"XCP":             encryptedOptions(),
		"plug_crypto 1.x": pinned,
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture[phoenixSession](t, o)
			s, err := f.m.Generate(t.Context(), phoenixSession{UserID: 7, CSRFToken: "abc"}, sessions.WithOwner("u7"))
			if err != nil {
				t.Fatal(err)
			}
			token := s.Token()
			if _, err := f.store.Open(t.Context(), token, t0); err != nil {
				t.Fatalf("the untouched cookie: %v", err)
			}
			tried := 0
			check := func(what, bad string) {
				t.Helper()
				tried++
				e, err := f.store.Open(t.Context(), bad, t0)
				if err == nil {
					t.Fatalf("%s: opened as %+v", what, e.Record)
				}
				if !errors.Is(err, sessions.ErrNotFound) {
					t.Fatalf("%s: %v, which does not read as absent", what, err)
				}
			}
			for i := range len(token) {
				for bit := range 8 {
					b := []byte(token)
					b[i] ^= 1 << bit
					check(fmt.Sprintf("byte %d bit %d", i, bit), string(b))
				}
			}
			for n := range len(token) {
				check(fmt.Sprintf("truncated to %d", n), token[:n])
			}
			for _, suffix := range []string{"A", "AA", ".", "=", "-"} {
				check("appended "+suffix, token+suffix)
			}
			if tried < 9*len(token) {
				t.Fatalf("only %d alterations", tried)
			}
		})
	}
}
