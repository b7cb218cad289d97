package plugcookie_test

import (
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/plugcookie"
)

func TestNewRefusesWhatPlugRefuses(t *testing.T) {
	short := signedOptions()
	short.SecretKeyBase = strings.Repeat("x", 63)
	noSalt := signedOptions()
	noSalt.SigningSalt = ""
	longKey := encryptedOptions()
	longKey.KeyLength = 64
	badDigest := signedOptions()
	badDigest.KeyDigest = "md5"
	tests := []struct {
		name string
		opts plugcookie.Options
		with []plugcookie.Option
	}{
		{"secret_key_base under 64 bytes", short, nil},
		{"no signing salt", noSalt, nil},
		{"encrypting with a 64-byte key", longKey, nil},
		{"an unknown digest", badDigest, nil},
		{"a bad rotating set", signedOptions(), []plugcookie.Option{plugcookie.WithRotatingOptions(short)}},
	}
	for _, tt := range tests {
		if _, err := plugcookie.New[plugcookie.Map](cookieName, tt.opts, tt.with...); err == nil {
			t.Errorf("%s: New succeeded", tt.name)
		}
	}
	// Reading plug_crypto 1.x cookies of an app with key_length 64 is fine.
	if _, err := plugcookie.New[plugcookie.Map](cookieName, signedOptions(), plugcookie.WithRotatingOptions(longKey)); err != nil {
		t.Errorf("a 64-byte key in a rotating set: %v", err)
	}
}

func TestNewRefusesValueTypesThatWouldDropKeys(t *testing.T) {
	type noExtra struct{ UserID int64 }
	if _, err := plugcookie.New[noExtra](cookieName, signedOptions()); err == nil {
		t.Error("a struct without Extra was accepted")
	}
	if _, err := plugcookie.New[noExtra](cookieName, signedOptions(), plugcookie.WithoutExtra()); err != nil {
		t.Errorf("a struct without Extra, WithoutExtra: %v", err)
	}
	if _, err := plugcookie.New[[]string](cookieName, signedOptions(), plugcookie.WithoutExtra()); err == nil {
		t.Error("a slice value type was accepted")
	}
	if _, err := plugcookie.New[map[string]string](cookieName, signedOptions()); err != nil {
		t.Errorf("a string map: %v", err)
	}
}

func TestNewWithStoreRefusesAnotherCookieName(t *testing.T) {
	store, err := plugcookie.New[plugcookie.Map]("_other_key", signedOptions())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sessions.NewWithStore[plugcookie.Map](store, sessions.WithCookie(sessions.Cookie{Name: cookieName})); err == nil {
		t.Fatal("a store for _other_key drove a Manager of _my_app_key")
	}
}

func TestBadCookiesReadAsAbsent(t *testing.T) {
	f := newFixture[plugcookie.Map](t, signedOptions())
	other := signedOptions()
	other.SecretKeyBase = strings.Repeat("0123456789abcdef", 8)
	g := newFixture[plugcookie.Map](t, other)
	s, err := g.m.Generate(t.Context(), plugcookie.Map{"foo": "bar"})
	if err != nil {
		t.Fatal(err)
	}
	for name, token := range map[string]string{
		"Plug's own test, \"bad\"":          "bad",
		"empty":                             "",
		"another secret_key_base":           s.Token(),
		"an encrypted cookie, signed store": plugXCPFooBar,
		"signed, but not a term":            "SFMyNTY.bm90IGEgdGVybQ.x",
		"a term that is not a map":          signedWith(t, signedOptions(), []byte{131, 106}),
		"a map with an executable value":    signedWith(t, signedOptions(), []byte{131, 116, 0, 0, 0, 1, 109, 0, 0, 0, 1, 'f', 113, 119, 1, 'm', 119, 1, 'f', 97, 0}),
	} {
		t.Run(name, func(t *testing.T) { f.absent(token) })
	}
}

func TestRotatingOptionsReadAndTheNextWriteRewrites(t *testing.T) {
	// The Plug test: a plug_crypto 1.x app moves to new options; its
	// cookies still read, and the next write uses the new ones only.
	old := encryptedOptions()
	current := encryptedOptions()
	current.SecretKeyBase = strings.Repeat("fedcba9876543210", 8)
	f := newFixture[plugcookie.Map](t, current, plugcookie.WithRotatingOptions(signedOptions(), old))
	s := f.load(plugV1FooBar)
	if again := f.load(plugV1FooBar); again.Token() != plugV1FooBar || again.Modified() {
		t.Fatal("reading rewrote the cookie")
	}
	f.load(plugSignedFooBar) // the second rotating set, signed
	next, err := f.m.Set(t.Context(), s, plugcookie.Map{"foo": "baz"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(next.Token(), "XCP.") {
		t.Fatalf("rewritten as %.12s…, want XCP", next.Token())
	}
	onlyCurrent := newFixture[plugcookie.Map](t, current)
	if got := onlyCurrent.load(next.Token()).Value(); got["foo"] != "baz" {
		t.Fatalf("current options read %v", got)
	}
	newFixture[plugcookie.Map](t, old).absent(next.Token())
}

func TestPinnedToPlugCrypto1WritesTheOldFormat(t *testing.T) {
	o := encryptedOptions()
	o.Encryption = plugcookie.AES128GCM
	f := newFixture[plugcookie.Map](t, o)
	s, err := f.m.Generate(t.Context(), plugcookie.Map{"foo": "bar"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.Token(), "QTEyOEdDTQ.") {
		t.Fatalf("wrote %.12s…", s.Token())
	}
	newFixture[plugcookie.Map](t, encryptedOptions()).load(s.Token())
}

func TestUnknownKeysSurviveGoWrites(t *testing.T) {
	o := signedOptions()
	o.SigningSalt = "QI9bW8Qe"
	f := newFixture[phoenixSession](t, o)
	s := f.load(phoenixLike)
	s, err := f.m.Update(t.Context(), s, func(v phoenixSession) (phoenixSession, error) {
		v.UserID = 7
		v.Flash = map[string]string{"info": "Welcome back!"}
		return v, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err = f.m.Renew(t.Context(), s) // the login step: a new session ID
	if err != nil {
		t.Fatal(err)
	}
	got := payload(t, s.Token())
	for key, want := range map[string]any{
		"n": int64(42), "big": int64(300), "_csrf_token": "vO9wCgusBPdfDvZEGgzWNGkq",
		"user_id": int64(7), "phoenix_flash": map[string]any{"info": "Welcome back!"},
	} {
		if !reflect.DeepEqual(got[key], want) {
			t.Errorf("%s = %#v, want %#v", key, got[key], want)
		}
	}
}

func TestTheManagersDeadlinesHold(t *testing.T) {
	f := newFixture[plugcookie.Map](t, signedOptions())
	s, err := f.m.Generate(t.Context(), plugcookie.Map{"foo": "bar"})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(sessions.DefaultIdleTimeout - time.Second)
	f.load(s.Token())
	f.clock.Advance(time.Second)
	f.absent(s.Token())

	// A session Phoenix wrote alone has no deadline of its own: it counts
	// as created when read, so it stays readable, as in Phoenix.
	f.clock.Advance(365 * 24 * time.Hour)
	p := f.load(plugSignedFooBar)
	if !p.CreatedAt().Equal(f.clock.Now()) {
		t.Fatalf("created %v, want now %v", p.CreatedAt(), f.clock.Now())
	}
	// Once Go writes it, it carries the Manager's deadlines.
	next, err := f.m.Set(t.Context(), p, plugcookie.Map{"foo": "baz"})
	if err != nil {
		t.Fatal(err)
	}
	if next.ID() != p.ID() {
		t.Fatal("the first Go write changed the session's ID")
	}
	f.clock.Advance(sessions.DefaultIdleTimeout)
	f.absent(next.Token())
}

func TestOwnSessionsOnlyRefusesSessionsPhoenixWroteAlone(t *testing.T) {
	f := newFixture[plugcookie.Map](t, signedOptions(), plugcookie.WithOwnSessionsOnly())
	f.absent(plugSignedFooBar)
	s, err := f.m.Generate(t.Context(), plugcookie.Map{"foo": "bar"})
	if err != nil {
		t.Fatal(err)
	}
	f.load(s.Token())
}

func TestAnOversizedCookieIsAnErrorBeforeAnyHeader(t *testing.T) {
	f := newFixture[plugcookie.Map](t, signedOptions())
	s, err := f.m.Generate(t.Context(), plugcookie.Map{"foo": "bar"})
	if err != nil {
		t.Fatal(err)
	}
	big := plugcookie.Map{"blob": strings.Repeat("x", 3000)}
	if _, err := f.m.Set(t.Context(), s, big); !errors.Is(err, sessions.ErrCookieTooLarge) {
		t.Fatalf("Set of a 3000-byte value: %v, want ErrCookieTooLarge", err)
	}
	if _, err := f.m.Generate(t.Context(), big); !errors.Is(err, sessions.ErrCookieTooLarge) {
		t.Fatalf("Generate of a 3000-byte value: %v, want ErrCookieTooLarge", err)
	}
	// Just under the limit, the whole Set-Cookie header fits in 4096 bytes.
	for n := 2900; n > 2000; n -= 10 {
		s, err := f.m.Set(t.Context(), s, plugcookie.Map{"blob": strings.Repeat("x", n)})
		if errors.Is(err, sessions.ErrCookieTooLarge) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range f.m.ToCookieHeaders(s) {
			if h.Name == "Set-Cookie" && len(h.Value) > 4096 {
				t.Fatalf("a %d-byte Set-Cookie was emitted", len(h.Value))
			}
		}
		return
	}
	t.Fatal("no value fitted")
}

func TestTheSetCookieIsThePlugAppsCookie(t *testing.T) {
	f := newFixture[plugcookie.Map](t, signedOptions())
	s, err := f.m.Generate(t.Context(), plugcookie.Map{"foo": "bar"})
	if err != nil {
		t.Fatal(err)
	}
	var setCookie string
	for _, h := range f.m.ToCookieHeaders(s) {
		if h.Name == "Set-Cookie" {
			setCookie = h.Value
		}
	}
	c, err := http.ParseSetCookie(setCookie)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != cookieName || c.Value != s.Token() || !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
		t.Fatalf("Set-Cookie %q", setCookie)
	}
}

func TestTheSecretStaysWhileTheSessionKeepsItsID(t *testing.T) {
	f := newFixture[plugcookie.Map](t, signedOptions())
	s, err := f.m.Generate(t.Context(), plugcookie.Map{"foo": "bar"})
	if err != nil {
		t.Fatal(err)
	}
	next, err := f.m.Set(t.Context(), s, plugcookie.Map{"foo": "baz"})
	if err != nil {
		t.Fatal(err)
	}
	if f.store.Secret(s.Token(), s.ID()) != f.store.Secret(next.Token(), next.ID()) {
		t.Fatal("a write changed the secret")
	}
	renewed, err := f.m.Renew(t.Context(), next)
	if err != nil {
		t.Fatal(err)
	}
	if f.store.Secret(renewed.Token(), renewed.ID()) == f.store.Secret(next.Token(), next.ID()) {
		t.Fatal("Renew kept the secret")
	}
	if f.store.Secret("bad", sessions.ID{}) == f.store.Secret("worse", sessions.ID{}) {
		t.Fatal("two unreadable tokens share a secret")
	}
}
