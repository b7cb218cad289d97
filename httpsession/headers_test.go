package httpsession_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/typedsession/sessions"
)

func TestSessionHeadersMergeWithTheHandlers(t *testing.T) {
	tests := []struct {
		name         string
		write        bool
		vary         []string
		cacheControl string
		wantVary     []string
		wantCache    string
	}{
		{"read keeps Cache-Control, appends to Vary", false, []string{"Accept-Encoding"}, "public, max-age=60", []string{"Accept-Encoding", "Cookie"}, "public, max-age=60"},
		{"write overrides Cache-Control", true, []string{"Accept-Encoding"}, "public, max-age=60", []string{"Accept-Encoding", "Cookie"}, "no-store"},
		{"Vary already listing cookie", true, []string{"accept, cookie"}, "", []string{"accept, cookie"}, "no-store"},
		{"Vary *", false, []string{"*"}, "", []string{"*"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			cookie := f.seed(visit{Count: 1})
			resp := f.do(func(w http.ResponseWriter, r *http.Request) {
				for _, v := range tt.vary {
					w.Header().Add("Vary", v)
				}
				if tt.cacheControl != "" {
					w.Header().Set("Cache-Control", tt.cacheControl)
				}
				s := f.mw.Session(r)
				if tt.write {
					must(t, s.Update(increment))
				} else {
					_, err := s.Get()
					must(t, err)
				}
			}, "GET", cookie)
			if got := resp.Header.Values("Vary"); !slices.Equal(got, tt.wantVary) {
				t.Errorf("Vary %q, want %q", got, tt.wantVary)
			}
			if got := resp.Header.Get("Cache-Control"); got != tt.wantCache {
				t.Errorf("Cache-Control %q, want %q", got, tt.wantCache)
			}
			if n := len(resp.Header.Values("Set-Cookie")); n != btoi(tt.write) {
				t.Errorf("%d Set-Cookie headers, want %d", n, btoi(tt.write))
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestHandlersOwnCookiesAreKept(t *testing.T) {
	f := newFixture(t)
	resp := f.do(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "lang", Value: "en"})
		must(t, f.mw.Session(r).Set(visit{Count: 1}))
	}, "GET", "")
	got := resp.Header.Values("Set-Cookie")
	if len(got) != 2 || !strings.HasPrefix(got[0], "lang=en") || !strings.HasPrefix(got[1], "__Host-session=") {
		t.Errorf("Set-Cookie %q, want the handler's then the session's", got)
	}
}

func TestTwoManagersServeOneRequest(t *testing.T) {
	a := newFixtureWith(t, sessions.Cookie{Name: "__Host-a"})
	b := newFixtureWith(t, sessions.Cookie{Name: "__Host-b"})
	handler := a.mw.Wrap(b.mw.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		must(t, a.mw.Session(r).Update(func(v visit) (visit, error) { v.User = "in a"; return increment(v) }))
		must(t, b.mw.Session(r).Update(func(v visit) (visit, error) { v.User = "in b"; return v, nil }))
		if a.mw.Session(r) == b.mw.Session(r) {
			t.Error("the two middlewares share a handle")
		}
	})))
	resp := serve(handler, request("GET", ""))
	ca, okA := a.sessionCookie(resp)
	cb, okB := b.sessionCookie(resp)
	if !okA || !okB {
		t.Fatalf("Set-Cookie %q, want one for each cookie name", resp.Header.Values("Set-Cookie"))
	}
	if v, _ := a.stored(ca); v.User != "in a" || v.Count != 1 {
		t.Errorf("a holds %+v", v)
	}
	if v, _ := b.stored(cb); v.User != "in b" || v.Count != 0 {
		t.Errorf("b holds %+v", v)
	}
	if got := resp.Header.Values("Vary"); !slices.Equal(got, []string{"Cookie"}) {
		t.Errorf("Vary %q, want one Cookie", got)
	}

	// The next request carries both cookies; each handle reads its own.
	resp = serve(a.mw.Wrap(b.mw.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		va, _ := a.mw.Session(r).Get()
		vb, _ := b.mw.Session(r).Get()
		if va.User != "in a" || vb.User != "in b" {
			t.Errorf("read %q and %q, want each middleware's own", va.User, vb.User)
		}
	}))), request("GET", ca+"; "+cb))
	if len(resp.Header.Values("Set-Cookie")) != 0 {
		t.Error("a read sent Set-Cookie")
	}
}

func TestInnerMiddlewaresFailureRollsBackTheOuter(t *testing.T) {
	a := newFixtureWith(t, sessions.Cookie{Name: "__Host-a"})
	b := newFixtureWith(t, sessions.Cookie{Name: "__Host-b"})
	ca, cb := a.seed(visit{Count: 1}), b.seed(visit{Count: 1})
	handler := a.mw.Wrap(b.mw.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		must(t, a.mw.Session(r).Update(increment))
		must(t, b.mw.Session(r).Update(increment))
		b.store.down.Store(true)
	})))
	resp := serve(handler, request("GET", ca+"; "+cb))
	// b's error handler answers 500 through a's writer: a commits nothing.
	if resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", resp.StatusCode)
	}
	if v, _ := a.stored(ca); v.Count != 1 {
		t.Errorf("a committed under a 500: Count %d", v.Count)
	}
}
