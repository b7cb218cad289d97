package httpsession

import "errors"

var (
	// ErrHeadersWritten is returned by every operation that would buffer a
	// change once the response's headers are on their way: the change is
	// dropped and nothing changes server-side.
	ErrHeadersWritten = errors.New("httpsession: response headers already written")

	// ErrCommitFailed is returned by the wrapped ResponseWriter's Write,
	// ReadFrom, Flush and Hijack after the session could not be committed:
	// the error handler has answered the request instead.
	ErrCommitFailed = errors.New("httpsession: session commit failed; the error handler answered")

	// ErrNotWrapped is returned by a Handle of a request that did not pass
	// through the Middleware's Wrap (the nil Handle).
	ErrNotWrapped = errors.New("httpsession: request not served through this middleware")

	// ErrRenewPending is returned by CSRFToken while a Renew or Clear is
	// buffered: the session's secret changes at commit, so a token made
	// now would be refused afterwards.
	ErrRenewPending = errors.New("httpsession: the session's token changes at commit")

	// ErrNoSession is returned by CSRFToken for a visitor without a
	// session when it does not store one: under [WithSessionlessCSRF],
	// or when the request's session cookie names no live session, unless
	// the handler has buffered a write. Render the forms without a token:
	// [Middleware.CSRF] lets such a visitor's requests without one
	// through, leaving them to [http.CrossOriginProtection].
	ErrNoSession = errors.New("httpsession: no session to make a CSRF token for")

	// ErrCSRF reports a missing or invalid CSRF token.
	ErrCSRF = errors.New("httpsession: missing or invalid CSRF token")

	// errNoManager is the load error of a Middleware built without a
	// Manager, so such a middleware fails requests instead of panicking.
	errNoManager = errors.New("httpsession: middleware has no Manager")
)
