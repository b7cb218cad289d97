// Command webapp is a small login app on the sessions library: log in,
// count visits, log out. It keeps sessions in memory.
//
//	go run ./examples/webapp            # serves http://127.0.0.1:8080
//	go run ./examples/webapp -addr :9000 -insecure-dev-cookie
//
// The session cookie is __Host-session with Secure, HttpOnly and
// SameSite=Lax. Browsers keep Secure cookies from loopback addresses over
// plain HTTP, so the defaults work on 127.0.0.1; on any other address
// without TLS they would silently drop the cookie, so the app refuses to
// start there unless -insecure-dev-cookie weakens the cookie (and says so
// on every start).
package main

import (
	"errors"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/memory"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		log.Fatal(err)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("webapp", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	insecure := fs.Bool("insecure-dev-cookie", false, "allow plain HTTP on a non-loopback address by dropping the cookie's Secure flag (development only)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cookie, err := cookieFor(*addr, *insecure)
	if err != nil {
		return err
	}
	store, err := memory.New[Visit]()
	if err != nil {
		return err
	}
	defer store.Close()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	m, err := sessions.New[Visit](store,
		sessions.WithCookie(cookie),
		sessions.WithObserver(sessions.SlogObserver(logger)))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	fmt.Printf("webapp: listening on http://%s\n", ln.Addr())
	srv := &http.Server{Handler: newApp(m), ReadHeaderTimeout: 5 * time.Second}
	return srv.Serve(ln)
}

// cookieFor returns the cookie configuration for serving plain HTTP on
// addr: the secure default on loopback, an explicitly weakened one
// elsewhere.
func cookieFor(addr string, insecure bool) (sessions.Cookie, error) {
	if isLoopback(addr) {
		return sessions.Cookie{}, nil
	}
	if !insecure {
		return sessions.Cookie{}, errors.New("webapp: refusing plain HTTP on a non-loopback address: browsers drop the Secure session cookie there; use 127.0.0.1, or -insecure-dev-cookie for development")
	}
	log.Printf("WARNING: -insecure-dev-cookie: the session cookie is sent without Secure over plain HTTP; never use this in production")
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
