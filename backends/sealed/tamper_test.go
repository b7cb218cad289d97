package sealed_test

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/sealed"
)

// inSyntax reports whether s uses only the base64url alphabet. Strings
// outside it are refused as malformed before any decoding; everything
// else that does not open is reported as tampered.
func inSyntax(s string) bool {
	return s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return !('A' <= r && r <= 'Z' || 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '-' || r == '_')
	})
}

// minTokenLen is the length of the shortest sealed token: 67 bytes of
// prefix, nonce, tag and the shortest header, in base64.
const minTokenLen = 90

// mutation is one altered token and the reason its lookup must report.
type mutation struct {
	name   string
	token  string
	reason sessions.Reason
}

// classify names the reason a mutated token's lookup must report:
// malformed when the store refuses it unseen (the test then checks that it
// is outside the alphabet or of an impossible length), tampered otherwise.
func classify(t *testing.T, store *sealed.Store[cart], name, token string) mutation {
	t.Helper()
	if store.CheckToken(token) {
		return mutation{name, token, sessions.ReasonTampered}
	}
	return mutation{name, token, sessions.ReasonMalformed}
}

// mutations returns every alteration of token the tests try.
func mutations(t *testing.T, store *sealed.Store[cart], token string) []mutation {
	var out []mutation
	for i := range len(token) {
		for bit := range 8 {
			b := []byte(token)
			b[i] ^= 1 << bit
			out = append(out, classify(t, store, fmt.Sprintf("flip byte %d bit %d", i, bit), string(b)))
		}
	}
	for n := range len(token) {
		out = append(out, classify(t, store, fmt.Sprintf("truncated to %d", n), token[:n]))
	}
	for _, suffix := range []string{"A", "AA", "AAA", "AAAA", "_-_-", "=", "==", " ", "\n"} {
		out = append(out, classify(t, store, fmt.Sprintf("appended %q", suffix), token+suffix))
	}
	raw := decode(t, token)
	for name, enc := range map[string]*base64.Encoding{
		"padded":            base64.URLEncoding,
		"standard alphabet": base64.RawStdEncoding,
		"padded standard":   base64.StdEncoding,
	} {
		if s := enc.EncodeToString(raw); s != token {
			out = append(out, classify(t, store, "re-encoded "+name, s))
		}
	}
	for _, v := range []byte{0, 2, 0x81, 0xff} {
		b := slices.Clone(raw)
		b[0] = v
		out = append(out, mutation{fmt.Sprintf("version %d", v), encode(b), sessions.ReasonTampered})
	}
	b := slices.Clone(raw)
	b[1] ^= 0x80
	out = append(out, mutation{"unknown key id", encode(b), sessions.ReasonTampered})
	return out
}

func TestTamperedTokensAreAbsent(t *testing.T) {
	for _, cfg := range []struct {
		name string
		cfg  fixtureConfig
	}{{"WithoutRevocation", fixtureConfig{}}, {"WithRevocation", fixtureConfig{revocation: true}}} {
		t.Run(cfg.name, func(t *testing.T) {
			f := newFixture(t, cfg.cfg)
			padded := 0
			// Three value lengths give all three residues of the raw length
			// modulo 3, so padded re-encodings differ from the token.
			for _, user := range []string{"a", "ab", "abc"} {
				s := f.generate(newCart(user), sessions.WithOwner(user), sessions.WithPersistent(true))
				f.mustOpen(s.Token())
				if f.rev != nil {
					f.rev.counts()
				}
				for _, mu := range mutations(t, f.store, s.Token()) {
					if strings.HasPrefix(mu.name, "re-encoded padded") {
						padded++
					}
					got := f.absent(mu.token)
					if !slices.Equal(got, []sessions.Reason{mu.reason}) {
						t.Errorf("%s: reasons %v, want [%s]", mu.name, got, mu.reason)
					}
					if mu.reason == sessions.ReasonMalformed && inSyntax(mu.token) && len(mu.token) >= minTokenLen && len(mu.token)%4 != 1 {
						t.Errorf("%s: refused unseen although its syntax is right", mu.name)
					}
				}
				if f.rev != nil {
					if l, c, w := f.rev.counts(); l+c+w != 0 {
						t.Errorf("tampered tokens cost %d revocation store calls", l+c+w)
					}
				}
			}
			if padded == 0 {
				t.Error("no padded re-encoding differed from its token")
			}
		})
	}
}

func TestTokensOfAnotherBindingAreTampered(t *testing.T) {
	ring := newRing(t, secret(1), secret(2))
	f := newFixture(t, fixtureConfig{ring: ring})
	rec := sessions.Record[cart]{Value: newCart("ann"), CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	seal := func(ring *sealed.KeyRing, opts ...sealed.Option) string {
		store, err := sealed.New[cart](ring, opts...)
		if err != nil {
			t.Fatal(err)
		}
		token, _, err := store.Create(f.ctx, rec, t0)
		if err != nil {
			t.Fatal(err)
		}
		return token
	}
	own := seal(ring)
	f.mustOpen(own)
	// The same ciphertext under the other key's ID.
	swapped := decode(t, own)
	copy(swapped[1:5], decode(t, seal(newRing(t, secret(2))))[1:5])
	// One token's prefix and nonce with another's ciphertext.
	spliced := append(decode(t, own)[:29], decode(t, seal(ring))[29:]...)
	for name, token := range map[string]string{
		"another cookie name": seal(ring, sealed.WithCookieName("__Host-other")),
		"another purpose":     seal(ring, sealed.WithPurpose("admin")),
		"another master":      seal(newRing(t, secret(3))),
		"a swapped key id":    encode(swapped),
		"a spliced nonce":     encode(spliced),
	} {
		if got := f.absent(token); !slices.Equal(got, []sessions.Reason{sessions.ReasonTampered}) {
			t.Errorf("%s: reasons %v, want [tampered]", name, got)
		}
	}
}

func TestDeadlinesComeFromThePayload(t *testing.T) {
	f := newFixture(t, fixtureConfig{})
	create := func(created, expires time.Time) string {
		token, _, err := f.store.Create(f.ctx, sessions.Record[cart]{Value: newCart("ann"), CreatedAt: created, ExpiresAt: expires}, created)
		if err != nil {
			t.Fatal(err)
		}
		return token
	}
	for _, tc := range []struct {
		name             string
		created, expires time.Duration // from t0, the Manager's now
		want             []sessions.Reason
	}{
		{"live", -time.Minute, time.Minute, nil},
		{"expired", -time.Hour, 0, []sessions.Reason{sessions.ReasonExpired}},
		{"expired a millisecond ago", -time.Hour, -time.Millisecond, []sessions.Reason{sessions.ReasonExpired}},
		{"issued within the clock skew", sealed.MaxClockSkew, time.Hour, nil},
		{"issued in the future", sealed.MaxClockSkew + time.Millisecond, time.Hour, []sessions.Reason{sessions.ReasonTampered}},
	} {
		token := create(t0.Add(tc.created), t0.Add(tc.expires))
		if tc.want == nil {
			f.mustOpen(token)
			continue
		}
		if got := f.absent(token); !slices.Equal(got, tc.want) {
			t.Errorf("%s: reasons %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestOversizedInputIsRefusedUnseen(t *testing.T) {
	f := newFixture(t, fixtureConfig{})
	s := f.generate(newCart("ann"))
	long := s.Token() + strings.Repeat("A", f.store.MaxTokenLen()) // right syntax, too long
	if f.store.CheckToken(long) {
		t.Fatal("CheckToken accepted an over-long token")
	}
	if got := f.absent(long); !slices.Equal(got, []sessions.Reason{sessions.ReasonOversized}) {
		t.Errorf("reasons %v, want [oversized]", got)
	}
	if n := testing.AllocsPerRun(100, func() {
		f.store.CheckToken(long)
		f.store.CheckToken(s.Token())
	}); n != 0 {
		t.Errorf("CheckToken allocates %v times", n)
	}
	if _, err := f.store.Open(f.ctx, long, t0); err == nil {
		t.Error("Open accepted an over-long token")
	}
}
