package main

import (
	"io"
	"log/slog"
	"strings"
	"testing"
)

func TestCookieForRefusesPlainHTTPOffLoopbackUnlessInsecureAndInsecureWhereNotNeeded(t *testing.T) {
	for _, tc := range []struct {
		addr          string
		tls, insecure bool
		wantErr       bool
		wantName      string
	}{
		{addr: "127.0.0.1:8080"},
		{addr: "[::1]:8080"},
		{addr: "localhost:8080"},
		{addr: ":8080", wantErr: true},
		{addr: "0.0.0.0:8080", wantErr: true},
		{addr: "192.0.2.1:8080", wantErr: true},
		{addr: "not an address", wantErr: true},
		{addr: ":8080", insecure: true, wantName: "session"},
		{addr: ":8080", tls: true},
		{addr: "192.0.2.1:8443", tls: true},
		{addr: "127.0.0.1:8443", tls: true, insecure: true, wantErr: true},
		{addr: "127.0.0.1:8080", insecure: true, wantErr: true},
		{addr: "[::1]:8080", insecure: true, wantErr: true},
		{addr: "localhost:8080", insecure: true, wantErr: true},
	} {
		c, err := cookieFor(tc.addr, tc.tls, tc.insecure)
		if (err != nil) != tc.wantErr || c.Name != tc.wantName || c.Insecure != (tc.wantName != "") {
			t.Errorf("cookieFor(%q, tls=%v, insecure=%v) = %+v, %v", tc.addr, tc.tls, tc.insecure, c, err)
		}
	}
}

func TestRunRefusesBeforeListening(t *testing.T) {
	quiet := slog.New(slog.DiscardHandler)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-addr", "0.0.0.0:0"}, "refusing plain HTTP"},
		{[]string{"-tls", "-insecure-dev-cookie"}, "-insecure-dev-cookie is for plain HTTP"},
		{[]string{"-insecure-dev-cookie"}, "on a loopback address browsers keep the secure default"},
		{[]string{"-cert-out", "x.pem"}, "-cert-out needs -tls"},
		{[]string{"-redis", "redis://127.0.0.1:1/0", "-postgres", "postgres://127.0.0.1:1/x"}, "not both"},
		{[]string{"-redis", "::not a url"}, "does not parse"},
		{[]string{"extra"}, "unexpected arguments"},
	} {
		err := run(tc.args, io.Discard, quiet)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run(%q) = %v, want an error containing %q", tc.args, err, tc.want)
		}
	}
}
