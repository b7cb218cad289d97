package sealed_test

import (
	"testing"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/sealed"
)

func TestTheDefaultCookieNameIsTheManagers(t *testing.T) {
	store, err := sealed.New[cart](newRing(t))
	if err != nil {
		t.Fatal(err)
	}
	m, err := sessions.NewWithStore[cart](store)
	if err != nil {
		t.Fatalf("NewWithStore: %v", err)
	}
	if store.CookieName() != sealed.DefaultCookieName || m.Cookie().Name != sealed.DefaultCookieName {
		t.Errorf("store seals for %q, Manager sends %q; want both %q", store.CookieName(), m.Cookie().Name, sealed.DefaultCookieName)
	}
}

func TestNewWithStoreAcceptsOnlyAStoreSealingForTheManagersCookie(t *testing.T) {
	for _, tc := range []struct {
		name     string
		store    []sealed.Option
		cookie   sessions.Cookie
		accepted bool
	}{
		{"both default", nil, sessions.Cookie{}, true},
		{"both named alike", []sealed.Option{sealed.WithCookieName("__Host-app")}, sessions.Cookie{Name: "__Host-app"}, true},
		{"store named, Manager default", []sealed.Option{sealed.WithCookieName("other")}, sessions.Cookie{}, false},
		{"store default, Manager named", nil, sessions.Cookie{Name: "__Host-app"}, false},
		{"names differing in case", []sealed.Option{sealed.WithCookieName("__Host-App")}, sessions.Cookie{Name: "__Host-app"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store, err := sealed.New[cart](newRing(t), tc.store...)
			if err != nil {
				t.Fatal(err)
			}
			m, err := sessions.NewWithStore[cart](store, sessions.WithCookie(tc.cookie))
			if accepted := err == nil; accepted != tc.accepted {
				t.Fatalf("NewWithStore: %v; want accepted = %v", err, tc.accepted)
			}
			if m != nil && m.Cookie().Name != store.CookieName() {
				t.Errorf("Manager sends %q, store seals for %q", m.Cookie().Name, store.CookieName())
			}
		})
	}
}
