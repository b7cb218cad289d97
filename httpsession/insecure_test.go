package httpsession_test

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/httpsession"
)

func TestInsecureRequestHookFiresWhenTheBrowserWillDropTheCookie(t *testing.T) {
	tests := []struct {
		name   string
		url    string
		cookie sessions.Cookie
		write  bool
		want   bool
	}{
		{"plain HTTP to a LAN address", "http://192.168.1.5:8080/", sessions.Cookie{}, true, true},
		{"plain HTTP to a name", "http://dev.example.com/", sessions.Cookie{}, true, true},
		{"HTTPS", "https://dev.example.com/", sessions.Cookie{}, true, false},
		{"localhost", "http://localhost:8080/", sessions.Cookie{}, true, false},
		{"LOCALHOST", "http://LOCALHOST/", sessions.Cookie{}, true, false},
		{"a .localhost name", "http://app.localhost:8080/", sessions.Cookie{}, true, false},
		{"a name merely ending in localhost", "http://evillocalhost/", sessions.Cookie{}, true, true},
		{"IPv4 loopback", "http://127.0.0.1:8080/", sessions.Cookie{}, true, false},
		{"other IPv4 loopback", "http://127.0.0.2/", sessions.Cookie{}, true, false},
		{"IPv6 loopback", "http://[::1]:8080/", sessions.Cookie{}, true, false},
		{"IPv6 loopback without port", "http://[::1]/", sessions.Cookie{}, true, false},
		{"no cookie sent", "http://192.168.1.5/", sessions.Cookie{}, false, false},
		{"cookie declared insecure", "http://192.168.1.5/", sessions.Cookie{Name: "session", Insecure: true}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var fired atomic.Int32
			f := newFixtureWith(t, tt.cookie, httpsession.WithInsecureRequestHook(func(r *http.Request) {
				if r == nil {
					t.Error("hook got a nil request")
				}
				fired.Add(1)
			}))
			h := f.mw.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := f.mw.Session(r)
				if tt.write {
					must(t, s.Set(visit{Count: 1}))
				} else {
					_, err := s.Get()
					must(t, err)
				}
			}))
			serve(h, httptest.NewRequest("GET", tt.url, nil))
			if got := fired.Load() == 1; got != tt.want {
				t.Errorf("hook fired %d times, want fired: %v", fired.Load(), tt.want)
			}
		})
	}
}
