package main

import (
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/memory"
)

func TestCookieForRefusesPlainHTTPOffLoopbackUnlessInsecure(t *testing.T) {
	for _, tc := range []struct {
		addr     string
		insecure bool
		wantErr  bool
		wantName string
	}{
		{"127.0.0.1:8080", false, false, ""},
		{"[::1]:8080", false, false, ""},
		{"localhost:8080", false, false, ""},
		{":8080", false, true, ""},
		{"0.0.0.0:8080", false, true, ""},
		{"192.0.2.1:8080", false, true, ""},
		{":8080", true, false, "session"},
	} {
		c, err := cookieFor(tc.addr, tc.insecure)
		if (err != nil) != tc.wantErr || c.Name != tc.wantName {
			t.Errorf("cookieFor(%q, %v) = %+v, %v", tc.addr, tc.insecure, c, err)
		}
	}
}

func TestLoginCountAndLogout(t *testing.T) {
	store, err := memory.New[Visit]()
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	m, err := sessions.New[Visit](store)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(newApp(m))
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	client := srv.Client()
	client.Jar = jar

	body := func(resp *http.Response, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var sb strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := resp.Body.Read(buf)
			sb.Write(buf[:n])
			if err != nil {
				break
			}
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s %s: status %d: %s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, sb.String())
		}
		return sb.String()
	}
	if got := body(client.Get(srv.URL)); !strings.Contains(got, "password") {
		t.Fatal("home page without a session shows no login form")
	}
	if store.Len() != 0 {
		t.Fatal("visiting the home page stored a session")
	}
	if got := body(client.PostForm(srv.URL+"/login", url.Values{"user": {"ann"}, "password": {"demo"}})); !strings.Contains(got, "ann") {
		t.Fatalf("after login: %s", got)
	}
	body(client.PostForm(srv.URL+"/count", nil))
	if got := body(client.PostForm(srv.URL+"/count", nil)); !strings.Contains(got, `id="counter">2<`) {
		t.Fatalf("after two counts: %s", got)
	}
	if got := body(client.PostForm(srv.URL+"/logout", nil)); !strings.Contains(got, "password") {
		t.Fatalf("after logout: %s", got)
	}
	if store.Len() != 0 {
		t.Fatalf("%d sessions left after logout", store.Len())
	}
}
