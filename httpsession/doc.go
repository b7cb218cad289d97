// Package httpsession is net/http middleware over a [sessions.Manager]:
// it loads the request's session when a handler first asks for it,
// buffers the handler's changes and commits them just before the
// response's headers go out.
//
//	mw := httpsession.New(m)
//	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
//		s := mw.Session(r)
//		if err := s.Update(func(v Visit) (Visit, error) { v.Count++; return v, nil }); err != nil {
//			http.Error(w, "session unavailable", http.StatusServiceUnavailable)
//			return
//		}
//		v, _ := s.Get() // the pending value, Count already incremented
//		fmt.Fprintf(w, "visit %d", v.Count)
//	})
//	http.ListenAndServe(addr, mw.Wrap(mux))
//
// The context key belongs to the [Middleware] value, so several
// middlewares (over Managers with different cookie names, even for the
// same V) can serve one request, each with its own [Handle].
//
// # Commit model
//
//  1. The session is loaded lazily on first use. Changes to the current
//     session (set, update, renew, clear, touch) are buffered and applied
//     at commit: on the first WriteHeader, Write, ReadFrom, Flush or
//     Hijack, or when the handler returns.
//  2. Buffered Update functions are replayed on [sessions.ErrConflict] at
//     commit (they must be pure); a buffered Set that conflicts goes to
//     the error handler (default 500) and never overwrites.
//  3. Owner operations on other sessions ("log out this device", "log out
//     everywhere else") run at once and return their errors to the
//     handler.
//  4. On a panic or a status >= 500 nothing is committed except a clear,
//     which always is (deleting is always safe); the panic propagates
//     unchanged.
//  5. After headers are sent, every buffered operation returns
//     [ErrHeadersWritten] and is dropped; nothing changes server-side.
//  6. With an idle timeout, a loaded session is touched at commit
//     (throttled by the Manager).
//  7. A store failure goes to the error handler and never replaces the
//     client's cookie with a new one; an absent cookie is never answered
//     with a deletion or a new cookie unless the handler wrote.
//
// Some consequences and details of these rules:
//
//   - Reads see the pending state: after a buffered Set or Update, Get
//     returns the new value. [Handle.Current] returns the session as the
//     store held it when loaded (or as the commit left it).
//   - A handler that never asks for its session costs nothing: no store
//     call and no header. Once the session is loaded, every response
//     carries Vary: Cookie; a response that sets or deletes the cookie
//     also gets Cache-Control: no-store, replacing the handler's, and an
//     existing Vary is appended to (see [sessions.WriteHeaders]). Load the
//     session before writing the response, or the response will lack
//     Vary: Cookie.
//   - At commit the changes are applied in this order, whatever order the
//     handler buffered them in: a Clear (which discards whatever was
//     buffered before it: later changes start a new session), then the
//     value change (consecutive Sets and Updates collapse into one
//     write), then Renew. A value change and a Renew commute, and writing
//     first keeps the conflict check against the version the handler
//     read. For a session not stored yet, Renew stores it holding the
//     pending value: one write.
//   - A status >= 500 is the one passed to WriteHeader; a response whose
//     first write comes without WriteHeader has status 200, and so has a
//     Hijack. Informational statuses (1xx other than 101) do not commit.
//   - A failed commit hands the request to the error handler (see
//     [WithErrorHandler]), whose response replaces the handler's: the
//     headers the handler set are discarded (those set before the
//     middleware ran are kept), and from then on the handler's
//     WriteHeader does nothing while its Write, ReadFrom, Flush and
//     Hijack return [ErrCommitFailed]. Changes applied before the failing
//     step stay applied (for example a Clear before a failed write), but
//     the response carries no Set-Cookie, so the client keeps the cookie
//     it has, even if that cookie now names no session. The error handler
//     receives the cause, so errors.Is works with [sessions.ErrConflict],
//     [sessions.ErrNotFound] (the session was cleared or expired
//     meanwhile), [sessions.ErrBackend] and the rest.
//   - A failure to load the session is returned to the handler by the
//     call that needed it (Get, Set, ...), and every later call returns
//     it again; nothing is committed and no cookie is sent for it.
//   - A store failure while only touching a session goes to the error
//     handler as well; a touch that finds the session gone is ignored.
//   - The wrapped ResponseWriter offers Flush, Hijack, ReadFrom and
//     Unwrap, so [http.ResponseController] works through it (deadlines
//     and full duplex via Unwrap). Flush and Hijack report
//     [http.ErrNotSupported] without committing when the underlying
//     writer cannot do them. A Hijack commits first and leaves the
//     session's headers in w.Header(); a handler that writes its own
//     response on the connection must copy them (WebSocket upgraders take
//     them as response headers).
//   - Writing through Unwrap's writer bypasses the commit: don't.
//
// A [Handle] is safe for concurrent use; commit runs once. An Update
// function runs when Update is called, with the handle locked, and again
// at commit if it is replayed, with the handle unlocked but sealed; it
// must not use the handle either way. Each run gets a private copy of
// the value (see [sessions.Manager.CopyValue]).
//
// # Flash messages
//
// [Flash] is a field type for V holding messages for the next request;
// its Put and Pop return new values, and a popped message is gone once
// the change is committed. [PutFlash] and [PopFlash] add and take
// messages through a Handle in one line each.
//
// # CSRF
//
// [Middleware.CSRF] rejects, with 403, requests with an unsafe method
// (anything but GET, HEAD, OPTIONS and TRACE) that do not carry a valid
// token in the X-CSRF-Token header or the csrf_token form field.
// [Handle.CSRFToken] makes tokens for forms and scripts. Tokens need no
// storage: each session has a secret derived from its token
// ([sessions.Session.Secret] with purpose "csrf"), and each call masks it
// with fresh random bytes (a one-time pad), so no two responses carry the
// same token and compression side channels (BREACH) learn nothing. A
// token from another session, a forged one and a missing one are all
// rejected; the comparison takes constant time. Renewing or clearing a
// session changes its secret, so tokens rendered before a login or logout
// are refused after it: redirect after those (Post/Redirect/Get), or
// render tokens after the commit.
//
// A visitor without a session has no secret. By default, asking for a
// token then stores the session at once, outside the commit model, so
// that a login form is protected: pages that render forms create
// sessions, other pages do not. The session is stored whatever happens
// next: a response that then fails (status >= 500) still carries its
// cookie, and one lost to a panic leaves a record that is never used and
// expires. A request with an unsafe method from a visitor without a
// session is rejected, but for the case of a dead cookie below.
//
// With [WithSessionlessCSRF] a visitor without a session is left to
// cross-origin protection instead: CSRFToken stores nothing and returns
// [ErrNoSession], the page's forms go without a token, and Middleware.CSRF
// lets a request that carries no token through from such a visitor. No
// page view then writes to the store until the visitor acts, so crawlers
// cannot fill it. Visitors with a session always need a token.
//
// A request whose session cookie names no live session (it expired, or a
// concurrent request renewed it, which makes its old token dead) is
// treated that way in every configuration: CSRFToken does not store a
// session for it unless the handler has buffered a write, because the new
// session's cookie would replace the one the renewing request just set,
// logging the user out. It returns [ErrNoSession], and CSRF lets the
// visitor's requests without a token through, so that a visitor whose
// session expired can still log in again, which replaces the dead cookie.
// Such a visitor is protected as under WithSessionlessCSRF, by
// cross-origin protection alone.
//
// Go 1.25's [http.CrossOriginProtection] rejects cross-origin unsafe
// requests by their Sec-Fetch-Site and Origin headers, with no tokens and
// no session. The two compose: put it outermost, so that forged requests
// are refused before any session is loaded, and keep the token check
// inside for browsers that send neither header. It is what protects the
// requests of visitors without a session that are let through without a
// token, as above:
//
//	handler := http.NewCrossOriginProtection().Handler(mw.Wrap(mw.CSRF(mux)))
//
// Routes that must accept cross-site posts (OAuth form_post or SAML
// callbacks) are exempted from both: add an insecure bypass pattern to
// the CrossOriginProtection and route them outside mw.CSRF.
//
// # Plain HTTP
//
// The Manager's default cookie is Secure, so a browser drops it when it
// arrives over plain HTTP from anywhere but a loopback address or
// localhost. [WithInsecureRequestHook] sets a function called when a
// response sets the cookie over such a request, to warn during
// development. It looks at r.TLS and the Host the browser used, so behind
// a proxy that terminates TLS it fires on every cookie; set it only where
// that is not the case.
package httpsession
