package plugcookie_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/plugcookie"
	"github.com/typedsession/sessions/backends/plugcookie/etf"
	"github.com/typedsession/sessions/internal/testclock"
)

// The settings of Plug's own cookie-store tests.
var testSKB = strings.Repeat("abcdef0123456789", 8)

const cookieName = "_my_app_key"

func signedOptions() plugcookie.Options {
	return plugcookie.Options{SecretKeyBase: testSKB, SigningSalt: "signing salt"}
}

func encryptedOptions() plugcookie.Options {
	o := signedOptions()
	o.EncryptionSalt = "encrypted cookie salt"
	return o
}

// phoenixSession is a typed view of a phx.gen.auth session.
type phoenixSession struct {
	UserID    int64             `plug:"user_id,omitempty"`
	UserToken []byte            `plug:"user_token,omitempty"`
	CSRFToken string            `plug:"_csrf_token,omitempty"`
	Flash     map[string]string `plug:"phoenix_flash,omitempty"`
	Extra     plugcookie.Extra
}

// t0 is the tests' first "now".
var t0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// fixture is a Manager over a Plug cookie store on a fake clock.
type fixture[V any] struct {
	t     *testing.T
	clock *testclock.Clock
	store *plugcookie.Store[V]
	m     *sessions.Manager[V]
}

func newFixture[V any](t *testing.T, o plugcookie.Options, opts ...plugcookie.Option) *fixture[V] {
	t.Helper()
	store, err := plugcookie.New[V](cookieName, o, opts...)
	if err != nil {
		t.Fatalf("plugcookie.New: %v", err)
	}
	f := &fixture[V]{t: t, clock: testclock.New(t0), store: store}
	f.m, err = sessions.NewWithStore[V](store, sessions.WithClock(f.clock.Now), sessions.WithCookie(sessions.Cookie{Name: cookieName}))
	if err != nil {
		t.Fatalf("NewWithStore: %v", err)
	}
	return f
}

// header returns a request Cookie header carrying token.
func header(token string) string { return cookieName + "=" + token }

// load returns the session the cookie token carries, failing the test if
// there is none.
func (f *fixture[V]) load(token string) sessions.Session[V] {
	f.t.Helper()
	got, err := f.m.OfHeader(f.t.Context(), header(token))
	if err != nil {
		f.t.Fatalf("OfHeader: %v", err)
	}
	s, ok := got.Get()
	if !ok {
		f.t.Fatalf("OfHeader(%.40s…): no session", token)
	}
	return s
}

// absent fails the test unless the cookie token reads as no session,
// without an error.
func (f *fixture[V]) absent(token string) {
	f.t.Helper()
	got, err := f.m.OfHeader(f.t.Context(), header(token))
	if err != nil || got.IsPresent() {
		f.t.Fatalf("OfHeader(%.40s…) = %v, %v; want no session and no error", token, got, err)
	}
}

// payload returns the session map a signed cookie carries, as Phoenix
// would decode it.
func payload(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] != "SFMyNTY" {
		t.Fatalf("not a signed cookie: %s", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	term, err := etf.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	return term.(map[string]any)
}

// signedWith signs payload as Plug's cookie store would with o.
func signedWith(t *testing.T, o plugcookie.Options, payload []byte) string {
	t.Helper()
	key, err := plugcookie.DeriveKey(o.SecretKeyBase, o.SigningSalt, 0, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	signed := "SFMyNTY." + base64.RawURLEncoding.EncodeToString(payload)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(signed))
	return signed + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}
