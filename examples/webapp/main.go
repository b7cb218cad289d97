// Command webapp is the example app of the sessions library: log in,
// count, fill a cart, see flash messages, list your devices and log them
// out, with CSRF-protected forms. The app itself is package app; this
// command chooses its store and serves it.
//
//	go run ./examples/webapp                        # http://127.0.0.1:8080, sessions in memory
//	go run ./examples/webapp -tls                   # https://127.0.0.1:8080, self-signed
//	go run ./examples/webapp -redis redis://127.0.0.1:6379/0
//	go run ./examples/webapp -postgres 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable'
//	go run ./examples/webapp -addr :9000 -insecure-dev-cookie
//	go run ./examples/webapp -redis-sessions myapp  # shared with Node's redis-sessions; see node/read-login.js
//
// The session cookie is __Host-session with Secure, HttpOnly and
// SameSite=Lax. Browsers keep Secure cookies from loopback addresses over
// plain HTTP, so the defaults work on 127.0.0.1; on any other address
// without TLS they would silently drop the cookie, so the command refuses
// to start there unless -tls serves HTTPS or -insecure-dev-cookie weakens
// the cookie (and says so on every start). It refuses -insecure-dev-cookie
// where the secure default works, with -tls or on a loopback address,
// rather than ignore it or weaken the cookie for nothing.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/examples/webapp/app"
)

func main() {
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(os.Args[1:], os.Stdout, logger); err != nil {
		logger.Error(err.Error())
		os.Exit(1)
	}
}

// options are the command's flags.
type options struct {
	addr, redisURL, postgresURL, certOut string
	redisSessionsApp                     string
	tls, insecure                        bool
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("webapp", flag.ContinueOnError)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.BoolVar(&o.insecure, "insecure-dev-cookie", false, "allow plain HTTP on a non-loopback address by dropping the cookie's Secure flag (development only)")
	fs.StringVar(&o.redisURL, "redis", "", "keep sessions in Redis at this URL (redis://host:port/db)")
	fs.StringVar(&o.redisSessionsApp, "redis-sessions", "", "keep sessions in the layout of Node's redis-sessions under this app name, in Redis at -redis (default "+app.DefaultRedisURL+")")
	fs.StringVar(&o.postgresURL, "postgres", "", "keep sessions in PostgreSQL at this URL; the table is created if missing")
	fs.BoolVar(&o.tls, "tls", false, "serve HTTPS with a freshly generated self-signed certificate")
	fs.StringVar(&o.certOut, "cert-out", "", "with -tls, also write the certificate (PEM, no key) to this file")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("webapp: unexpected arguments %q", fs.Args())
	}
	if o.certOut != "" && !o.tls {
		return o, errors.New("webapp: -cert-out needs -tls")
	}
	return o, nil
}

func run(args []string, stdout io.Writer, logger *slog.Logger) error {
	o, err := parseFlags(args)
	if err != nil {
		return err
	}
	cookie, err := cookieFor(o.addr, o.tls, o.insecure)
	if err != nil {
		return err
	}
	if cookie.Insecure {
		logger.Warn("webapp: -insecure-dev-cookie: the session cookie is sent without Secure over plain HTTP; never use this in production")
	}
	handler, closeStore, err := app.New(app.Config{
		Cookie: cookie, RedisURL: o.redisURL, PostgresURL: o.postgresURL, Logger: logger,
		RedisSessionsApp: o.redisSessionsApp,
	})
	if err != nil {
		return err
	}
	defer closeStore()
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	if o.tls {
		if ln, err = serveTLS(srv, ln, o, stdout); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "webapp: listening on %s\n", origin(ln.Addr(), o.tls))
	return serve(srv, ln, stdout)
}

// serve runs srv on ln until the process is interrupted, then lets the
// requests in flight finish.
func serve(srv *http.Server, ln net.Listener, stdout io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	fmt.Fprintln(stdout, "webapp: shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// serveTLS generates a certificate, says how to make Chromium trust it
// and wraps ln in TLS.
func serveTLS(srv *http.Server, ln net.Listener, o options, stdout io.Writer) (net.Listener, error) {
	host, _, _ := net.SplitHostPort(o.addr)
	cert, err := app.NewCertificate(time.Now(), host)
	if err != nil {
		return nil, err
	}
	if o.certOut != "" {
		if err := os.WriteFile(o.certOut, cert.PEM, 0o644); err != nil {
			return nil, err
		}
	}
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert.TLS}, MinVersion: tls.VersionTLS12, NextProtos: []string{"h2", "http/1.1"}}
	fmt.Fprintf(stdout, "webapp: self-signed certificate, SPKI SHA-256 %s\n", cert.SPKIHash)
	fmt.Fprintf(stdout, "webapp: to trust it in Chromium: chromium --user-data-dir=\"$(mktemp -d)\" --ignore-certificate-errors-spki-list=%s %s\n",
		cert.SPKIHash, origin(ln.Addr(), true))
	return tls.NewListener(ln, srv.TLSConfig), nil
}

// origin spells the URL of the app listening on addr.
func origin(addr net.Addr, useTLS bool) string {
	if useTLS {
		return "https://" + addr.String()
	}
	return "http://" + addr.String()
}

// cookieFor returns the cookie configuration for serving on addr: the
// secure default over TLS and on loopback, an explicitly weakened one
// for plain HTTP elsewhere, and an error for plain HTTP elsewhere
// without -insecure-dev-cookie, where browsers would silently drop the
// cookie. -insecure-dev-cookie where the default works is an error too:
// a flag that weakens the cookie must not be silently ignored, nor
// weaken it where nothing needs that.
func cookieFor(addr string, useTLS, insecure bool) (sessions.Cookie, error) {
	switch {
	case useTLS && insecure:
		return sessions.Cookie{}, errors.New("webapp: -insecure-dev-cookie is for plain HTTP; with -tls the secure default works")
	case insecure && isLoopback(addr):
		return sessions.Cookie{}, errors.New("webapp: -insecure-dev-cookie is for plain HTTP on a non-loopback address; on a loopback address browsers keep the secure default cookie")
	case useTLS, isLoopback(addr):
		return sessions.Cookie{}, nil
	case !insecure:
		return sessions.Cookie{}, errors.New("webapp: refusing plain HTTP on a non-loopback address: browsers drop the Secure session cookie there; use 127.0.0.1, -tls, or -insecure-dev-cookie for development")
	}
	return sessions.Cookie{Name: "session", Insecure: true}, nil
}

// isLoopback reports whether addr's host is a loopback address or
// localhost. An empty host listens on every interface, which is not.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
