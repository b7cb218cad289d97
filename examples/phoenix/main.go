// Command phoenix is a Go service that shares its login with a Phoenix
// app: it reads the Phoenix session cookie, shows who is logged in, and
// leaves a flash message that the Phoenix app shows on its next page.
//
// Run it behind the same host as the Phoenix app (a reverse proxy routing
// /go/ here, say), with the Phoenix endpoint's secret and session options:
//
//	SECRET_KEY_BASE=... go run ./examples/phoenix -cookie _my_app_key -signing-salt 8chars..
//	SECRET_KEY_BASE=... go run ./examples/phoenix -cookie _my_app_key -signing-salt 8chars.. -encryption-salt 8chars..
//
// Then GET /go/whoami shows "logged in as user N" for a Phoenix login and
// answers 401 otherwise.
package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/typedsession/sessions/backends/plugcookie"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		slog.Error(err.Error())
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("phoenix", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:4001", "address to serve on")
	cookie := fs.String("cookie", "", "the session cookie's name, the endpoint's :key option (\"_my_app_key\")")
	signingSalt := fs.String("signing-salt", "", "the endpoint's :signing_salt")
	encryptionSalt := fs.String("encryption-salt", "", "the endpoint's :encryption_salt, if it sets one")
	insecure := fs.Bool("insecure-dev-cookie", false, "drop Secure from the cookie, for a Phoenix app served over plain HTTP in development")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cookie == "" || *signingSalt == "" {
		return errors.New("-cookie and -signing-salt are required: copy them from the endpoint's @session_options")
	}
	h, err := newApp(config{
		Cookie:   *cookie,
		Insecure: *insecure,
		Options: plugcookie.Options{
			SecretKeyBase:  os.Getenv("SECRET_KEY_BASE"),
			SigningSalt:    *signingSalt,
			EncryptionSalt: *encryptionSalt,
		},
		// phx.gen.auth keeps only a token in the session; a real service
		// looks it up in the users_tokens table (context "session").
		Lookup: func(*http.Request, []byte) (int64, bool, error) { return 0, false, nil },
	})
	if err != nil {
		return err
	}
	srv := &http.Server{Addr: *addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(os.Stderr, "serving http://%s/go/whoami\n", *addr)
	return srv.ListenAndServe()
}
