package httpsession

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/typedsession/sessions"
)

// writer is the ResponseWriter handlers see: it commits the session just
// before the response starts.
type writer[V any] struct {
	h        *Handle[V]
	rw       http.ResponseWriter
	once     sync.Once
	replaced atomic.Bool // the commit failed and the error handler answered
}

// rwUnwrapper is what http.ResponseController follows to reach the
// writers beneath a wrapper.
type rwUnwrapper interface{ Unwrap() http.ResponseWriter }

// start commits once, for a response that failed or not, and reports
// whether the handler's response may go on.
func (w *writer[V]) start(failed bool) bool {
	w.once.Do(func() {
		if !w.h.respond(w.rw, failed) {
			w.replaced.Store(true)
		}
	})
	return !w.replaced.Load()
}

// abort commits for a handler that panicked: only a buffered clear, whose
// headers are left for whoever recovers the panic.
func (w *writer[V]) abort() {
	w.once.Do(func() {
		if hs, err := w.h.commit(true); err == nil {
			sessions.WriteHeaders(w.rw.Header(), hs)
		}
	})
}

// Header returns the underlying writer's header map.
func (w *writer[V]) Header() http.Header { return w.rw.Header() }

// WriteHeader commits, unless code is informational or invalid, and then
// passes code on.
func (w *writer[V]) WriteHeader(code int) {
	if w.replaced.Load() {
		return
	}
	// 1xx responses other than 101 precede the real one, and an invalid
	// code makes net/http panic: neither is the response's status.
	if final := (code >= 200 && code <= 999) || code == http.StatusSwitchingProtocols; final {
		if !w.start(code >= 500) {
			return
		}
	}
	w.rw.WriteHeader(code)
}

// Write commits (status 200 unless WriteHeader said otherwise) and writes p.
func (w *writer[V]) Write(p []byte) (int, error) {
	if !w.start(false) {
		return 0, ErrCommitFailed
	}
	return w.rw.Write(p)
}

// WriteString is Write without converting s, when the underlying writer
// can.
func (w *writer[V]) WriteString(s string) (int, error) {
	if !w.start(false) {
		return 0, ErrCommitFailed
	}
	return io.WriteString(w.rw, s)
}

// ReadFrom commits and copies src to the underlying writer, through its
// own ReadFrom when it has one (net/http's uses sendfile).
func (w *writer[V]) ReadFrom(src io.Reader) (int64, error) {
	if !w.start(false) {
		return 0, ErrCommitFailed
	}
	return io.Copy(w.rw, src)
}

// Flush commits and flushes the underlying writer; see FlushError.
func (w *writer[V]) Flush() { _ = w.FlushError() }

// FlushError commits and flushes the underlying writer. If nothing beneath
// can flush it returns an error wrapping [http.ErrNotSupported] and
// commits nothing.
func (w *writer[V]) FlushError() error {
	if !canFlush(w.rw) {
		return fmt.Errorf("httpsession: flush: %w", http.ErrNotSupported)
	}
	if !w.start(false) {
		return ErrCommitFailed
	}
	return http.NewResponseController(w.rw).Flush()
}

// Hijack commits, leaving the session's headers in Header() for the
// handler to send, and hands over the connection. If nothing beneath can
// be hijacked it returns an error wrapping [http.ErrNotSupported] and
// commits nothing.
func (w *writer[V]) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if !canHijack(w.rw) {
		return nil, nil, fmt.Errorf("httpsession: hijack: %w", http.ErrNotSupported)
	}
	if !w.start(false) {
		return nil, nil, ErrCommitFailed
	}
	return http.NewResponseController(w.rw).Hijack()
}

// Unwrap returns the underlying writer, for http.ResponseController.
func (w *writer[V]) Unwrap() http.ResponseWriter { return w.rw }

// canFlush reports whether http.ResponseController can flush rw.
func canFlush(rw http.ResponseWriter) bool {
	for {
		switch t := rw.(type) {
		case interface{ FlushError() error }, http.Flusher:
			return true
		case rwUnwrapper:
			rw = t.Unwrap()
		default:
			return false
		}
	}
}

// canHijack reports whether http.ResponseController can hijack rw.
func canHijack(rw http.ResponseWriter) bool {
	for {
		switch t := rw.(type) {
		case http.Hijacker:
			return true
		case rwUnwrapper:
			rw = t.Unwrap()
		default:
			return false
		}
	}
}
