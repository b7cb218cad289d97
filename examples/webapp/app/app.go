// Package app is the example web application of the sessions library:
// log in, count, fill a cart, see flash messages, list your devices and
// log them out. It runs on the net/http middleware of package
// httpsession. Every POST goes through [http.CrossOriginProtection]; the
// forms of a visitor with a session also carry a CSRF token.
//
// Looking at pages never stores a session: a visitor gets one with their
// first action (adding to the cart, logging in), so crawlers cannot fill
// the store. The forms of a visitor without a session therefore carry no
// token (there is no session to derive one from), and the middleware is
// built with [httpsession.WithSessionlessCSRF], which lets their posts
// through without one. Cross-origin protection alone guards those posts:
// it refuses, by the Sec-Fetch-Site and Origin headers every current
// browser sends, a post from another site, which is the login CSRF attack
// a token on the login form would otherwise stop.
//
// The command in the parent directory serves it; tests and the browser
// tests build it with [New].
package app

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/httpsession"
)

// Config configures the app. The zero Config keeps sessions in memory
// behind the secure default cookie.
type Config struct {
	// Cookie is the session cookie's configuration; the zero value is the
	// secure default (__Host-session, Secure, HttpOnly, SameSite=Lax).
	Cookie sessions.Cookie

	// RedisURL, if set, keeps sessions in Redis, as in
	// redis://127.0.0.1:6379/0.
	RedisURL string
	// RedisPrefix is the prefix of the app's Redis keys; "" means
	// DefaultRedisPrefix.
	RedisPrefix string
	// RedisSessionsApp, if set, keeps sessions in the layout of Node's
	// redis-sessions under this app name, in Redis at RedisURL (or
	// DefaultRedisURL), so Node applications share the logins.
	RedisSessionsApp string

	// PostgresURL, if set, keeps sessions in PostgreSQL, as in
	// postgres://user@127.0.0.1:5432/db. New creates the table if it is
	// missing.
	PostgresURL string
	// PostgresTable names the table, schema-qualified if wanted; ""
	// means DefaultPostgresTable. The schema must exist.
	PostgresTable string

	// Logger receives the app's warnings and the library's events; nil
	// discards them.
	Logger *slog.Logger
}

// Session timing. The devices page derives "last active" from them.
const (
	idleTimeout   = 30 * time.Minute
	lifetime      = 24 * time.Hour
	touchInterval = 3 * time.Minute
)

// maxBody bounds a request body: the app's forms are tiny.
const maxBody = 16 << 10

// startTimeout bounds connecting to a store and creating its table.
const startTimeout = 15 * time.Second

// New builds the app's handler and the function that releases its store
// once the server has stopped. With neither RedisURL nor PostgresURL it
// keeps sessions in memory; setting both is an error.
func New(cfg Config) (http.Handler, func() error, error) {
	h, st, err := build(cfg)
	if err != nil {
		return nil, nil, err
	}
	return h, st.close, nil
}

// build is New, returning the store itself.
func build(cfg Config) (http.Handler, store, error) {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	tmpl, err := parsePages()
	if err != nil {
		return nil, store{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	st, err := openStore(ctx, cfg)
	if err != nil {
		return nil, store{}, err
	}
	newManager := func(opts ...sessions.Option) (*sessions.Manager[visit], error) {
		if st.tokens != nil {
			return sessions.NewWithStore(st.tokens, opts...)
		}
		return sessions.New(st.backend, opts...)
	}
	m, err := newManager(
		sessions.WithCookie(cfg.Cookie),
		sessions.WithIdleTimeout(idleTimeout),
		sessions.WithLifetime(lifetime),
		sessions.WithTouchInterval(touchInterval),
		sessions.WithObserver(sessions.SlogObserver(logger)))
	if err != nil {
		return nil, store{}, errors.Join(err, st.close())
	}
	s := &server{
		log:    logger,
		pages:  tmpl,
		timing: timing{idle: idleTimeout, lifetime: lifetime, touch: touchInterval},
		store:  st.name,
		cookie: m.Cookie(),
	}
	s.mw = httpsession.New(m,
		httpsession.WithSessionlessCSRF(), // see the package documentation
		httpsession.WithErrorHandler(s.commitFailed),
		httpsession.WithCSRFFailureHandler(s.csrfFailed),
		httpsession.WithInsecureRequestHook(s.insecureRequest))
	h := s.handler()
	if st.wrap != nil {
		h = st.wrap(h)
	}
	return h, st, nil
}

// handler composes the layers, outermost first: security headers; Go's
// cross-origin protection, which refuses forged cross-site posts before
// any session is loaded and is all that guards the posts of visitors
// without a session; a body limit; the session middleware; its CSRF
// token check of visitors with a session, for browsers that send no
// Sec-Fetch-Site or Origin; and the routes.
func (s *server) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.logout)
	mux.HandleFunc("POST /count", s.count)
	mux.HandleFunc("POST /cart/add", s.cartAdd)
	mux.HandleFunc("POST /cart/remove", s.cartRemove)
	mux.HandleFunc("GET /devices", s.devices)
	mux.HandleFunc("POST /devices/logout", s.logoutDevice)
	mux.HandleFunc("POST /devices/logout-others", s.logoutOthers)
	var h http.Handler = s.mw.Wrap(s.mw.CSRF(mux))
	h = http.MaxBytesHandler(h, maxBody)
	h = http.NewCrossOriginProtection().Handler(h)
	return securityHeaders(contentSecurityPolicy(), h)
}

// securityHeaders sets headers that keep the pages from being framed,
// sniffed or scripted.
func securityHeaders(csp string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}
