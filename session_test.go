package sessions

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// sessionTestValue is a session value holding a secret in a string, a
// slice and a map.
type sessionTestValue struct {
	Name   string
	Notes  []string
	Labels map[string]string
}

// sessionSecretValue must never appear when a session is printed.
const sessionSecretValue = "VALUE-SENTINEL-hunter2"

// sessionTestSecrets derives session secrets as the default token scheme
// does.
type sessionTestSecrets struct{}

func (sessionTestSecrets) Secret(token string, _ ID) [32]byte { return tokenSecret(token) }

// newTestSession builds a stored session for token by hand.
func newTestSession(token string) Session[sessionTestValue] {
	created := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	return Session[sessionTestValue]{state: &sessionState[sessionTestValue]{
		token: token,
		id:    storageID(token),
		rec: Record[sessionTestValue]{
			Value: sessionTestValue{
				Name:   sessionSecretValue,
				Notes:  []string{sessionSecretValue},
				Labels: map[string]string{"k": sessionSecretValue},
			},
			CreatedAt:  created,
			ExpiresAt:  created.Add(30 * time.Minute),
			Owner:      "owner-7",
			Version:    3,
			Persistent: true,
		},
		secrets: sessionTestSecrets{},
	},
		modified: true,
	}
}

// leaks returns the forms of the session's secrets found in out.
func leaks(out string, s Session[sessionTestValue]) []string {
	var secrets []string
	root := tokenSecret(s.Token())
	for _, secret := range []string{s.Token(), sessionSecretValue, string(root[:])} {
		secrets = append(secrets,
			secret,
			hex.EncodeToString([]byte(secret)),
			strings.ToUpper(hex.EncodeToString([]byte(secret))),
			base64.StdEncoding.EncodeToString([]byte(secret)),
			fmt.Sprint([]byte(secret)),
		)
	}
	// Any long run of the token gives most of it away.
	for i := 0; i+12 <= len(s.Token()); i++ {
		secrets = append(secrets, s.Token()[i:i+12])
	}
	var found []string
	for _, secret := range secrets {
		if strings.Contains(out, secret) {
			found = append(found, fmt.Sprintf("%q", secret))
		}
	}
	return found
}

func TestSessionFormattingNeverShowsTokenOrValue(t *testing.T) {
	s := newTestSession(mintTestToken(t))
	prefix := s.ID().String()[:8]
	formats := []string{
		"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%t", "%o", "%O",
		"%e", "%E", "%f", "%g", "%G", "%c", "%U", "%b",
		"%100v", "%-100s", "%+q", "%#q", "%#x", "% x", "%08d", "%.3s", "%.3v",
	}
	for _, format := range formats {
		t.Run(format, func(t *testing.T) {
			out := fmt.Sprintf(format, s)
			if found := leaks(out, s); len(found) > 0 {
				t.Errorf("Sprintf(%q) = %q shows %v", format, out, found)
			}
			if !strings.Contains(out, prefix) {
				t.Errorf("Sprintf(%q) = %q lacks the ID prefix %q", format, out, prefix)
			}
		})
	}
}

func TestSessionFormattingRedactsThroughPointersAndContainers(t *testing.T) {
	s := newTestSession(mintTestToken(t))
	prefix := s.ID().String()[:8]
	type wrapper struct {
		Session Session[sessionTestValue]
		Ptr     *Session[sessionTestValue]
	}
	args := map[string]any{
		"pointer": &s,
		"slice":   []Session[sessionTestValue]{s},
		"map":     map[string]Session[sessionTestValue]{"s": s},
		"struct":  wrapper{Session: s, Ptr: &s},
		"any":     []any{s},
	}
	for name, arg := range args {
		for _, format := range []string{"%v", "%+v", "%#v", "%s", "%x", "%q"} {
			out := fmt.Sprintf(format, arg)
			if found := leaks(out, s); len(found) > 0 {
				t.Errorf("%s: Sprintf(%q) = %q shows %v", name, format, out, found)
			}
			if !strings.Contains(out, prefix) {
				t.Errorf("%s: Sprintf(%q) = %q lacks the ID prefix %q", name, format, out, prefix)
			}
		}
	}
	for name, out := range map[string]string{
		"Sprint":   fmt.Sprint(s),
		"Sprintln": fmt.Sprintln(s, &s),
		"Errorf":   fmt.Errorf("loading %v: failed", s).Error(),
		"String":   s.String(),
		"GoString": s.GoString(),
	} {
		if found := leaks(out, s); len(found) > 0 {
			t.Errorf("%s = %q shows %v", name, out, found)
		}
		if !strings.Contains(out, prefix) {
			t.Errorf("%s = %q lacks the ID prefix %q", name, out, prefix)
		}
	}
}

func TestSessionTypeVerbShowsOnlyTheType(t *testing.T) {
	s := newTestSession(mintTestToken(t))
	out := fmt.Sprintf("%T", s)
	if !strings.Contains(out, "Session") {
		t.Errorf("%%T = %q does not name the type", out)
	}
	if found := leaks(out, s); len(found) > 0 {
		t.Errorf("%%T = %q shows %v", out, found)
	}
}

func TestSessionLoggingNeverShowsTokenOrValue(t *testing.T) {
	s := newTestSession(mintTestToken(t))
	prefix := s.ID().String()[:8]
	handlers := map[string]func(*bytes.Buffer) slog.Handler{
		"text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		"json": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	}
	for name, newHandler := range handlers {
		t.Run(name, func(t *testing.T) {
			logs := map[string]func(*slog.Logger){
				"attr":    func(l *slog.Logger) { l.Info("request", slog.Any("session", s)) },
				"pair":    func(l *slog.Logger) { l.Info("request", "session", s) },
				"pointer": func(l *slog.Logger) { l.Info("request", "session", &s) },
				"group":   func(l *slog.Logger) { l.Info("request", slog.Group("req", "session", s)) },
				"with":    func(l *slog.Logger) { l.With("session", s).Info("request") },
			}
			for how, log := range logs {
				var buf bytes.Buffer
				log(slog.New(newHandler(&buf)))
				out := buf.String()
				if found := leaks(out, s); len(found) > 0 {
					t.Errorf("%s: log %q shows %v", how, out, found)
				}
				if !strings.Contains(out, prefix) {
					t.Errorf("%s: log %q lacks the ID prefix %q", how, out, prefix)
				}
			}
			// A session nested in a struct is not resolved by slog; it
			// must still not leak.
			var buf bytes.Buffer
			slog.New(newHandler(&buf)).Info("request", "req", struct{ S Session[sessionTestValue] }{s})
			if found := leaks(buf.String(), s); len(found) > 0 {
				t.Errorf("nested: log %q shows %v", buf.String(), found)
			}
		})
	}
}

func TestSessionJSONEncodingShowsNothing(t *testing.T) {
	s := newTestSession(mintTestToken(t))
	out, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if found := leaks(string(out), s); len(found) > 0 {
		t.Errorf("json.Marshal = %s shows %v", out, found)
	}
}

func TestUnsavedSessionFormatsWithoutAnID(t *testing.T) {
	s := Session[sessionTestValue]{
		state: &sessionState[sessionTestValue]{rec: Record[sessionTestValue]{Value: sessionTestValue{Name: sessionSecretValue}}},
		isNew: true,
	}
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%#v", s), s.String()} {
		if !strings.Contains(out, "id=none") || !strings.Contains(out, "new=true") {
			t.Errorf("unsaved session formats as %q, want id=none and new=true", out)
		}
		if strings.Contains(out, sessionSecretValue) {
			t.Errorf("unsaved session formats as %q, showing its value", out)
		}
	}
}

func TestSessionFormattingShowsFlags(t *testing.T) {
	s := newTestSession(mintTestToken(t))
	s.cleared = true
	out := s.String()
	for _, want := range []string{"new=false", "modified=true", "cleared=true", "expires=2025-03-01T12:30:00Z"} {
		if !strings.Contains(out, want) {
			t.Errorf("String() = %q lacks %q", out, want)
		}
	}
	if gs := s.GoString(); !strings.HasPrefix(gs, "sessions.Session{") {
		t.Errorf("GoString() = %q, want a sessions.Session{...} form", gs)
	}
}

func TestSessionSecretNeedsAToken(t *testing.T) {
	s := newTestSession(mintTestToken(t))
	s.state.token = ""
	key, ok := s.Secret("csrf")
	if ok {
		t.Error("Secret reports ok for a session without a token")
	}
	if key != ([32]byte{}) {
		t.Error("Secret returns a key for a session without a token")
	}
	if _, ok := (Session[sessionTestValue]{}).Secret("csrf"); ok {
		t.Error("Secret reports ok for the zero Session")
	}
	noSource := newTestSession(mintTestToken(t))
	noSource.state.secrets = nil
	if _, ok := noSource.Secret("csrf"); ok {
		t.Error("Secret reports ok for a session without a secret source")
	}
}

func TestSessionSecretIsStablePerTokenAndPurpose(t *testing.T) {
	tok := mintTestToken(t)
	a, b := newTestSession(tok), newTestSession(tok)
	b.state.rec.Version = 9
	b.state.rec.Value = sessionTestValue{}

	ka, ok := a.Secret("csrf")
	if !ok {
		t.Fatal("Secret reports !ok for a stored session")
	}
	if kb, _ := b.Secret("csrf"); kb != ka {
		t.Error("Secret differs for the same token")
	}
	if again, _ := a.Secret("csrf"); again != ka {
		t.Error("Secret differs between calls")
	}
	if ka == ([32]byte{}) {
		t.Error("Secret is zero")
	}
	if ka == tokenSecret(tok) || ka == [32]byte(a.ID()) {
		t.Error("Secret returns the session secret or ID itself")
	}

	purposes := []string{"", "csrf", "CSRF", "csrf ", "flash", "csrf\x00"}
	seen := map[[32]byte]string{}
	for _, p := range purposes {
		k, _ := a.Secret(p)
		if prev, dup := seen[k]; dup {
			t.Errorf("purposes %q and %q share a key", prev, p)
		}
		seen[k] = p
	}

	other := newTestSession(mintTestToken(t))
	if ko, _ := other.Secret("csrf"); ko == ka {
		t.Error("different tokens share a key")
	}
}

func TestSessionAccessorsReturnTheFields(t *testing.T) {
	tok := mintTestToken(t)
	s := newTestSession(tok)
	s.isNew, s.modified, s.cleared = true, false, true
	if s.Token() != tok {
		t.Errorf("Token() = %q, want %q", s.Token(), tok)
	}
	if s.ID() != storageID(tok) {
		t.Errorf("ID() = %v, want %v", s.ID(), storageID(tok))
	}
	if v := s.Value(); v.Name != sessionSecretValue || len(v.Notes) != 1 || v.Labels["k"] != sessionSecretValue {
		t.Errorf("Value() = %+v", v)
	}
	if want := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC); !s.CreatedAt().Equal(want) {
		t.Errorf("CreatedAt() = %v, want %v", s.CreatedAt(), want)
	}
	if want := time.Date(2025, 3, 1, 12, 30, 0, 0, time.UTC); !s.ExpiresAt().Equal(want) {
		t.Errorf("ExpiresAt() = %v, want %v", s.ExpiresAt(), want)
	}
	if s.Owner() != "owner-7" {
		t.Errorf("Owner() = %q", s.Owner())
	}
	if s.Version() != 3 {
		t.Errorf("Version() = %d", s.Version())
	}
	if !s.Persistent() {
		t.Error("Persistent() = false")
	}
	if !s.IsNew() || s.Modified() || !s.Cleared() {
		t.Errorf("IsNew, Modified, Cleared = %v, %v, %v; want true, false, true", s.IsNew(), s.Modified(), s.Cleared())
	}

	var zero Session[sessionTestValue]
	if zero.Token() != "" || !zero.ID().IsZero() || zero.Version() != 0 || zero.IsNew() || zero.Modified() || zero.Cleared() {
		t.Error("the zero Session has non-zero accessors")
	}
}

// holder keeps a Session in an unexported field, where fmt cannot call
// its methods.
type holder struct {
	s Session[sessionTestValue]
}

func TestFormattingPathsThatBypassFormatShowNoSecret(t *testing.T) {
	s := newTestSession(mintTestToken(t))
	outs := map[string]string{
		"%p":                      fmt.Sprintf("%p", s),
		"%v of unexported field":  fmt.Sprintf("%v", holder{s}),
		"%+v of unexported field": fmt.Sprintf("%+v", holder{s}),
		"%#v of unexported field": fmt.Sprintf("%#v", holder{s}),
		"%w of a non-error":       fmt.Errorf(strings.Repeat("%w", 1), s).Error(),
	}
	for name, out := range outs {
		if found := leaks(out, s); len(found) > 0 {
			t.Errorf("%s = %q shows %v", name, out, found)
		}
	}
}
