package sealed_test

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/typedsession/sessions"
)

// FuzzOpen opens arbitrary strings with the golden vectors' keys. It must
// never panic, every failure must read as absent, and the only strings
// that open are the tokens those keys sealed: the golden vectors.
func FuzzOpen(f *testing.F) {
	data, err := os.ReadFile(goldenPath)
	if err != nil {
		f.Fatal(err)
	}
	var g goldenFile
	if err := json.Unmarshal(data, &g); err != nil {
		f.Fatal(err)
	}
	sealedTokens := map[string]bool{}
	for _, v := range g.Vectors {
		sealedTokens[v.Token] = true
		f.Add(v.Token)
		f.Add(v.Token[:len(v.Token)-1])
		f.Add(v.Token + "A")
	}
	f.Add("")
	f.Add(strings.Repeat("A", 90))
	f.Add(strings.Repeat("_", 5000))
	store := goldenStore(f, g, g.SealingSecret, g.OpeningSecrets...)
	now := g.Vectors[0].Now // most vectors are live then
	f.Fuzz(func(t *testing.T, s string) {
		e, err := store.Open(t.Context(), s, now)
		if err != nil {
			if !errors.Is(err, sessions.ErrNotFound) && !errors.Is(err, sessions.ErrDecode) {
				t.Fatalf("Open(%q): %v, which does not read as absent", s, err)
			}
			return
		}
		if !sealedTokens[s] {
			t.Fatalf("Open(%q) = %+v: a string no key holder sealed opened", s, e.Record)
		}
		if !store.CheckToken(s) {
			t.Fatalf("Open(%q) succeeded but CheckToken refuses it", s)
		}
	})
}
