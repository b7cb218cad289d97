package e2e

import (
	"crypto/tls"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/typedsession/sessions/examples/webapp/app"
	"github.com/typedsession/sessions/internal/teststores"
)

// eachStore runs test on the memory store and, by the testenv rule, on
// Redis and PostgreSQL, each under a name no other run uses.
func eachStore(t *testing.T, test func(t *testing.T, cfg app.Config)) {
	teststores.Each(t, "webapp_e2e", func(t *testing.T, s teststores.Store) {
		test(t, app.Config{RedisURL: s.RedisURL, RedisPrefix: s.RedisPrefix, PostgresURL: s.PostgresURL, PostgresTable: s.Table("sessions")})
	})
}

// serveApp serves the app on 127.0.0.1 for the rest of t, over TLS with
// cert if it is not nil, else over plain HTTP, and returns its origin.
func serveApp(t *testing.T, cfg app.Config, cert *app.Certificate) string {
	t.Helper()
	cfg.Logger = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	h, closeStore, err := app.New(cfg)
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	t.Cleanup(func() {
		if err := closeStore(); err != nil {
			t.Errorf("closing the store: %v", err)
		}
	})
	return serve(t, h, cert)
}

// serve serves h on 127.0.0.1 for the rest of t and returns its origin.
func serve(t *testing.T, h http.Handler, cert *app.Certificate) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	if cert != nil {
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert.TLS}}
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv.URL
}
