package redissessions_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/redissessions"
)

// arrayCodec writes every value as a JSON array, which is no d.
type arrayCodec struct{}

func (arrayCodec) Marshal(login) ([]byte, error)   { return []byte(`["x"]`), nil }
func (arrayCodec) Unmarshal([]byte) (login, error) { return login{}, nil }
func (nullCodec) Marshal(login) ([]byte, error)    { return []byte(`null`), nil }
func (nullCodec) Unmarshal([]byte) (login, error)  { return login{}, nil }
func (nestedCodec) Marshal(login) ([]byte, error)  { return []byte(`{"a":1,"o":{"x":1}}`), nil }
func (nestedCodec) Unmarshal(d []byte) (login, error) {
	return login{}, json.Unmarshal(d, new(map[string]any))
}

type (
	nullCodec   struct{}
	nestedCodec struct{}
)

// Every message Node's validation gives, with the code it carries, and
// the Go call that must give it.
func TestEveryNodeValidationMessageHasAGoTrigger(t *testing.T) {
	c := realClient(t)
	store, _ := newStore[login](t, c)
	noIP, _ := newStore[login](t, c, redissessions.WithDefaultIP("10.0.0.1"))
	_ = noIP
	m := manager(t, store)
	ctx := t.Context()
	generateWith := func(opts ...redissessions.Option) error {
		s, _ := newStore[login](t, c, opts...)
		_, err := manager(t, s).Generate(ctx, login{User: "ann"})
		return err
	}
	bareStore := func() *redissessions.Store[login] {
		s, err := redissessions.New[login](c, "testapp", redissessions.WithNamespace(namespace(t, c)))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	valid, err := m.Generate(ctx, login{User: "ann"})
	if err != nil {
		t.Fatal(err)
	}
	var nilLogin *login

	tests := []struct {
		name    string
		code    error
		message string
		call    func() error
	}{
		{"empty app", redissessions.ErrMissingParameter, "No app supplied", func() error {
			_, err := redissessions.New[login](c, "")
			return err
		}},
		{"short app", redissessions.ErrInvalidFormat, "Invalid app format", func() error {
			_, err := redissessions.New[login](c, "ab")
			return err
		}},
		{"app with a dot", redissessions.ErrInvalidFormat, "Invalid app format", func() error {
			_, err := redissessions.New[login](c, "my.app")
			return err
		}},
		{"21-character app", redissessions.ErrInvalidFormat, "Invalid app format", func() error {
			_, err := redissessions.New[login](c, strings.Repeat("a", 21))
			return err
		}},
		{"empty anonymous id", redissessions.ErrMissingParameter, "No id supplied", func() error {
			_, err := redissessions.New[login](c, "testapp", redissessions.WithAnonymousID(""))
			return err
		}},
		{"owner with a colon", redissessions.ErrInvalidFormat, "Invalid id format", func() error {
			_, err := m.Generate(ctx, login{}, sessions.WithOwner("ann:admin"))
			return err
		}},
		{"owner with a line break", redissessions.ErrInvalidFormat, "Invalid id format", func() error {
			_, err := m.Generate(ctx, login{}, sessions.WithOwner("ann\nbob"))
			return err
		}},
		{"no ip in the context and no default", redissessions.ErrMissingParameter, "No ip supplied", func() error {
			_, err := manager(t, bareStore()).Generate(ctx, login{})
			return err
		}},
		{"empty ip in the context", redissessions.ErrMissingParameter, "No ip supplied", func() error {
			_, err := m.Generate(redissessions.WithIP(ctx, ""), login{})
			return err
		}},
		{"40-character ip", redissessions.ErrInvalidFormat, "Invalid ip format", func() error {
			_, err := m.Generate(redissessions.WithIP(ctx, strings.Repeat("1", 40)), login{})
			return err
		}},
		{"empty token", redissessions.ErrMissingParameter, "No token supplied", func() error {
			_, err := store.Info(ctx, "")
			return err
		}},
		{"short token", redissessions.ErrInvalidFormat, "Invalid token format", func() error {
			_, err := store.Info(ctx, "abc")
			return err
		}},
		{"idle timeout under 10 seconds", redissessions.ErrInvalidValue, "ttl must be a positive integer >= 10", func() error {
			short, err := sessions.NewWithStore[login](store, sessions.WithIdleTimeout(9*time.Second), sessions.WithTouchInterval(time.Second))
			if err != nil {
				return err
			}
			_, err = short.Generate(ctx, login{})
			return err
		}},
		{"window under 10 seconds", redissessions.ErrInvalidValue, "deltaTime must be a positive integer >= 10", func() error {
			_, err := store.Activity(ctx, 9*time.Second)
			return err
		}},
		{"SetData without d", redissessions.ErrMissingParameter, "No d supplied", func() error {
			_, err := store.SetData(ctx, valid.Token(), nil)
			return err
		}},
		{"Set of a value written as null", redissessions.ErrMissingParameter, "No d supplied", func() error {
			ps, _ := newStore[*login](t, c)
			pm, err := sessions.NewWithStore[*login](ps)
			if err != nil {
				return err
			}
			s, err := pm.Generate(ctx, &login{User: "ann"})
			if err != nil {
				return err
			}
			_, err = pm.Set(ctx, s, nilLogin)
			return err
		}},
		{"a value written as an array", redissessions.ErrInvalidValue, "d must be an object", func() error {
			return generateWith(redissessions.WithCodec[login](arrayCodec{}))
		}},
		{"a value type that is no object", redissessions.ErrInvalidValue, "d must be an object", func() error {
			_, err := redissessions.New[[]string](c, "testapp")
			return err
		}},
		{"SetData with an empty d", redissessions.ErrInvalidValue, "d must containt at least one key.", func() error {
			_, err := store.SetData(ctx, valid.Token(), map[string]any{})
			return err
		}},
		{"SetData with a nested value", redissessions.ErrInvalidValue, "d.o has a forbidden type. Only strings, numbers, boolean and null are allowed.", func() error {
			_, err := store.SetData(ctx, valid.Token(), map[string]any{"a": 1, "o": map[string]any{}})
			return err
		}},
		{"a value written with a nested key", redissessions.ErrInvalidValue, "d.o has a forbidden type. Only strings, numbers, boolean and null are allowed.", func() error {
			return generateWith(redissessions.WithCodec[login](nestedCodec{}))
		}},
		{"a value type with a slice field", redissessions.ErrInvalidValue, "d.tags has a forbidden type. Only strings, numbers, boolean and null are allowed.", func() error {
			_, err := redissessions.New[struct {
				Tags []string `json:"tags"`
			}](c, "testapp")
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if !errors.Is(err, tt.code) {
				t.Fatalf("got %v, want an error with code %v", err, tt.code)
			}
			var ve *redissessions.ValidationError
			if !errors.As(err, &ve) || ve.Message != tt.message {
				t.Fatalf("got %v, want Node's message %q", err, tt.message)
			}
		})
	}
}

func TestAValueWrittenAsNullCreatesASessionWithoutD(t *testing.T) {
	c := realClient(t)
	store, ns := newStore[login](t, c, redissessions.WithCodec[login](nullCodec{}))
	s, err := manager(t, store).Generate(t.Context(), login{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := hashOf(t, c, ns, s.Token())["d"]; ok {
		t.Error("the hash has a d")
	}
}

func TestNewRefusesClusterAndRingClients(t *testing.T) {
	for name, client := range map[string]redis.UniversalClient{
		"cluster": redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}}),
		"ring":    redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"a": "127.0.0.1:1"}}),
	} {
		t.Run(name, func(t *testing.T) {
			defer client.Close()
			_, err := redissessions.New[login](client, "testapp")
			if !errors.Is(err, redissessions.ErrCluster) || !strings.Contains(err.Error(), "hash slots") {
				t.Fatalf("got %v, want ErrCluster saying why", err)
			}
		})
	}
}

func TestNewAcceptsFlatValueTypes(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer c.Close()
	type base struct {
		User string `json:"user"`
	}
	type withEmbedded struct {
		base
		Seen time.Time `json:"seen"` // a TextMarshaler writes a string
		N    *int      `json:"n"`
		skip []string
		Tags []string `json:"-"`
	}
	checks := map[string]func() error{
		"struct":              func() error { _, err := redissessions.New[login](c, "app"); return err },
		"pointer to struct":   func() error { _, err := redissessions.New[*login](c, "app"); return err },
		"embedded and marked": func() error { _, err := redissessions.New[withEmbedded](c, "app"); return err },
		"map of strings":      func() error { _, err := redissessions.New[map[string]string](c, "app"); return err },
		"map of anything":     func() error { _, err := redissessions.New[map[string]any](c, "app"); return err },
	}
	for name, check := range checks {
		if err := check(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := redissessions.New[map[string][]int](c, "app"); !errors.Is(err, redissessions.ErrInvalidValue) {
		t.Errorf("map of slices: got %v, want ErrInvalidValue", err)
	}
}

// manager returns a Manager over store on the real clock.
func manager[V any](t testing.TB, store *redissessions.Store[V], opts ...sessions.Option) *sessions.Manager[V] {
	t.Helper()
	m, err := sessions.NewWithStore[V](store, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

var _ = context.Background
