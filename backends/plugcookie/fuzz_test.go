package plugcookie_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/plugcookie"
)

// FuzzOpen opens arbitrary cookie values with a store that reads every
// format (encrypted with the test keys, then signed with two salts). It
// must never panic, every failure must read as absent, and only the
// golden cookies, which the real Plug wrote with those keys, open.
func FuzzOpen(f *testing.F) {
	phoenix := signedOptions()
	phoenix.SigningSalt = "QI9bW8Qe"
	store, err := plugcookie.New[plugcookie.Map](cookieName, encryptedOptions(),
		plugcookie.WithRotatingOptions(signedOptions(), phoenix))
	if err != nil {
		f.Fatal(err)
	}
	golden := map[string]bool{}
	for _, token := range []string{plugSignedFooBar, plugXCPFooBar, plugV1FooBar, goXCPFooBar, phoenixLike} {
		golden[token] = true
		f.Add(token)
		f.Add(token[:len(token)-1])
		f.Add(strings.Replace(token, ".", "..", 1))
	}
	f.Add("SFMyNTY..")
	f.Add("XCP.")
	f.Add("QTEyOEdDTQ.....")
	f.Add(strings.Repeat("A", 5000))
	f.Fuzz(func(t *testing.T, s string) {
		_, err := store.Open(t.Context(), s, t0)
		if err != nil {
			if !errors.Is(err, sessions.ErrNotFound) && !errors.Is(err, sessions.ErrDecode) {
				t.Fatalf("Open(%q): %v, which does not read as absent", s, err)
			}
			return
		}
		if !golden[s] {
			t.Fatalf("Open(%q) succeeded: a cookie no key holder wrote opened", s)
		}
		if !store.CheckToken(s) {
			t.Fatalf("Open(%q) succeeded but CheckToken refuses it", s)
		}
	})
}
