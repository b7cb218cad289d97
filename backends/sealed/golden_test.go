package sealed_test

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"testing/cryptotest"
	"time"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/sealed"
)

var update = flag.Bool("update", false, "regenerate testdata/golden.json")

// goldenPath holds tokens sealed by an earlier version of the store. Every
// later version must open them exactly as recorded: cookies in browsers
// outlive deployments.
var goldenPath = filepath.Join("testdata", "golden.json")

// goldenFile is the layout of golden.json.
type goldenFile struct {
	Comment        string         `json:"comment"`
	SealingSecret  string         `json:"sealing_secret"`  // hex
	OpeningSecrets []string       `json:"opening_secrets"` // hex
	CookieName     string         `json:"cookie_name"`
	Purpose        string         `json:"purpose"`
	Vectors        []goldenVector `json:"vectors"`
}

// goldenVector is one token and what opening it at Now must give.
type goldenVector struct {
	Name       string      `json:"name"`
	Token      string      `json:"token"`
	Now        time.Time   `json:"now"`
	Expired    bool        `json:"expired,omitempty"` // opening gives ErrExpired
	ID         string      `json:"id,omitempty"`
	Secret     string      `json:"secret,omitempty"` // hex of Store.Secret
	Value      goldenValue `json:"value"`
	CreatedAt  time.Time   `json:"created_at"`
	ExpiresAt  time.Time   `json:"expires_at"`
	Owner      string      `json:"owner,omitempty"`
	Version    uint64      `json:"version"`
	Persistent bool        `json:"persistent,omitempty"`
}

// goldenValue is the value sealed in the vectors.
type goldenValue struct {
	Name  string
	Items []string
	Count int
}

func TestGoldenVectorsOpen(t *testing.T) {
	if *update {
		writeGolden(t)
	}
	data, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatal(err)
	}
	var g goldenFile
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	store := goldenStore(t, g, g.SealingSecret, g.OpeningSecrets...)
	if len(g.Vectors) == 0 {
		t.Fatal("no vectors")
	}
	for _, v := range g.Vectors {
		t.Run(v.Name, func(t *testing.T) {
			e, err := store.Open(t.Context(), v.Token, v.Now)
			if v.Expired {
				if !errors.Is(err, sessions.ErrExpired) {
					t.Fatalf("Open = %v, want ErrExpired", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			want := sessions.Record[goldenValue]{Value: v.Value, CreatedAt: v.CreatedAt, ExpiresAt: v.ExpiresAt,
				Owner: v.Owner, Version: v.Version, Persistent: v.Persistent}
			if !reflect.DeepEqual(e.Record.Value, want.Value) || !e.Record.CreatedAt.Equal(want.CreatedAt) ||
				!e.Record.ExpiresAt.Equal(want.ExpiresAt) || e.Record.Owner != want.Owner ||
				e.Record.Version != want.Version || e.Record.Persistent != want.Persistent {
				t.Errorf("Open = %+v, want %+v", e.Record, want)
			}
			if e.ID.String() != v.ID {
				t.Errorf("ID = %v, want %s", e.ID, v.ID)
			}
			if got := store.Secret(v.Token, e.ID); hex.EncodeToString(got[:]) != v.Secret {
				t.Errorf("Secret = %x, want %s", got, v.Secret)
			}
		})
	}
}

func goldenStore(t testing.TB, g goldenFile, sealing string, opening ...string) *sealed.Store[goldenValue] {
	t.Helper()
	unhex := func(s string) []byte {
		b, err := hex.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var others [][]byte
	for _, s := range opening {
		others = append(others, unhex(s))
	}
	ring, err := sealed.NewKeyRing(unhex(sealing), others...)
	if err != nil {
		t.Fatal(err)
	}
	store, err := sealed.New[goldenValue](ring, sealed.WithCookieName(g.CookieName), sealed.WithPurpose(g.Purpose))
	if err != nil {
		t.Fatal(err)
	}
	return store
}

// writeGolden regenerates the vectors under a deterministic random source
// (in this directory: go test . -run TestGoldenVectorsOpen -update; the
// package must come before the flag). Only a new format version
// is a reason to: add its vectors, never drop the old ones.
func writeGolden(t *testing.T) {
	cryptotest.SetGlobalRandom(t, 20300101)
	g := goldenFile{
		Comment:        "Sealed tokens of format version 1. Every later version must open them as recorded. Only a new format version is a reason to regenerate; add its vectors and keep these. In backends/sealed: go test . -run TestGoldenVectorsOpen -update",
		SealingSecret:  hex.EncodeToString(secret(101)),
		OpeningSecrets: []string{hex.EncodeToString(secret(102))},
		CookieName:     "__Host-session",
		Purpose:        "session",
	}
	current := goldenStore(t, g, g.SealingSecret)
	older := goldenStore(t, g, g.OpeningSecrets[0])
	both := goldenStore(t, g, g.SealingSecret, g.OpeningSecrets...)
	at := time.Date(2030, 1, 2, 3, 4, 5, 678_000_000, time.UTC)
	value := goldenValue{Name: "ann", Items: []string{"tea", "ünïcödé \"quoted\" <tag>"}, Count: 3}
	cases := []struct {
		name    string
		store   *sealed.Store[goldenValue]
		rec     sessions.Record[goldenValue]
		writes  int
		openAt  time.Duration
		expired bool
	}{
		{name: "anonymous", store: current, rec: sessions.Record[goldenValue]{Value: value, CreatedAt: at, ExpiresAt: at.Add(30 * time.Minute)}, openAt: time.Minute},
		{name: "owned persistent written twice", store: current, rec: sessions.Record[goldenValue]{Value: value, CreatedAt: at, ExpiresAt: at.Add(24 * time.Hour), Owner: "user-42", Persistent: true}, writes: 2, openAt: time.Hour},
		{name: "zero value", store: current, rec: sessions.Record[goldenValue]{CreatedAt: at, ExpiresAt: at.Add(time.Millisecond)}},
		{name: "sealed with the older key", store: older, rec: sessions.Record[goldenValue]{Value: value, CreatedAt: at, ExpiresAt: at.Add(30 * time.Minute), Owner: "ann"}, openAt: 29 * time.Minute},
		{name: "expired", store: current, rec: sessions.Record[goldenValue]{Value: value, CreatedAt: at, ExpiresAt: at.Add(30 * time.Minute)}, openAt: 30 * time.Minute, expired: true},
	}
	for _, c := range cases {
		token, id, err := c.store.Create(t.Context(), c.rec, at)
		if err != nil {
			t.Fatal(err)
		}
		c.rec.Version = 1
		for range c.writes {
			c.rec.Value.Count++
			if token, err = c.store.Replace(t.Context(), token, c.rec.Version, c.rec, at); err != nil {
				t.Fatal(err)
			}
			c.rec.Version++
		}
		v := goldenVector{Name: c.name, Token: token, Now: at.Add(c.openAt), Expired: c.expired}
		if !c.expired {
			secret := both.Secret(token, id)
			v.ID, v.Secret = id.String(), hex.EncodeToString(secret[:])
			v.Value, v.CreatedAt, v.ExpiresAt = c.rec.Value, c.rec.CreatedAt, c.rec.ExpiresAt
			v.Owner, v.Version, v.Persistent = c.rec.Owner, c.rec.Version, c.rec.Persistent
		}
		g.Vectors = append(g.Vectors, v)
	}
	data, err := json.MarshalIndent(g, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(goldenPath, append(data, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}
