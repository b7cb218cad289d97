package httpsession

import "net/http"

// Option configures a Middleware.
type Option func(*config)

type config struct {
	errorHandler func(http.ResponseWriter, *http.Request, error)
	csrfFailure  func(http.ResponseWriter, *http.Request, error)
	insecureHook func(*http.Request)
	sessionless  bool // visitors without a session are left to cross-origin protection
}

func defaultConfig() config {
	return config{errorHandler: internalError, csrfFailure: forbidden}
}

// WithErrorHandler sets the function that answers a request whose
// session could not be committed (a store failure, a conflicting Set, a
// session cleared meanwhile). It writes to the underlying ResponseWriter
// and its response replaces the handler's. The default answers 500 with
// the status text and shows nothing of err. A nil f keeps the default.
func WithErrorHandler(f func(w http.ResponseWriter, r *http.Request, err error)) Option {
	return func(c *config) {
		if f != nil {
			c.errorHandler = f
		}
	}
}

// WithCSRFFailureHandler sets the function that answers a request
// refused by [Middleware.CSRF]; err wraps [ErrCSRF]. The default answers
// 403 with the status text. A nil f keeps the default.
func WithCSRFFailureHandler(f func(w http.ResponseWriter, r *http.Request, err error)) Option {
	return func(c *config) {
		if f != nil {
			c.csrfFailure = f
		}
	}
}

// WithSessionlessCSRF leaves the CSRF protection of visitors without a
// session to [http.CrossOriginProtection], which must then sit in front
// of the middleware. [Handle.CSRFToken] stores no session for such a
// visitor, unless the handler has buffered a write, and returns
// [ErrNoSession]; [Middleware.CSRF] lets their unsafe requests through
// when they carry no token. Pages with forms, a login form among them,
// then cost no store write until the visitor acts, so crawlers cannot
// fill the store.
//
// What it gives up: a browser that sends neither Sec-Fetch-Site nor
// Origin (no current browser) can be made to post a form from another
// site for a visitor without a session, for example logging them in to
// the attacker's account. Requests of visitors with a session always
// need a valid token; a request that carries a token always has it
// checked.
func WithSessionlessCSRF() Option {
	return func(c *config) { c.sessionless = true }
}

// WithInsecureRequestHook sets a function called when a response sets the
// Secure session cookie on a request that came over plain HTTP to a host
// other than a loopback address or localhost: the browser will drop the
// cookie. It is meant for a development warning (see the package
// documentation for proxies). It may be called concurrently and must not
// write the response.
func WithInsecureRequestHook(f func(r *http.Request)) Option {
	return func(c *config) { c.insecureHook = f }
}

func internalError(w http.ResponseWriter, _ *http.Request, _ error) {
	http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
}

func forbidden(w http.ResponseWriter, _ *http.Request, _ error) {
	http.Error(w, http.StatusText(http.StatusForbidden), http.StatusForbidden)
}
