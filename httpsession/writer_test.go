package httpsession_test

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/typedsession/sessions/httpsession"
)

// bareWriter is a ResponseWriter that can do nothing but write.
type bareWriter struct {
	header http.Header
	code   int
	body   strings.Builder
}

func newBareWriter() *bareWriter { return &bareWriter{header: http.Header{}} }

func (b *bareWriter) Header() http.Header { return b.header }
func (b *bareWriter) WriteHeader(code int) {
	if b.code == 0 {
		b.code = code
	}
}
func (b *bareWriter) Write(p []byte) (int, error) {
	b.WriteHeader(http.StatusOK)
	return b.body.Write(p)
}

// capableWriter records the optional methods http.ResponseController
// reaches through Unwrap.
type capableWriter struct {
	*bareWriter
	readFrom      int
	writeDeadline time.Time
	readDeadline  time.Time
	fullDuplex    bool
}

func (c *capableWriter) ReadFrom(r io.Reader) (int64, error) {
	c.readFrom++
	return io.Copy(&c.bareWriter.body, r)
}
func (c *capableWriter) SetWriteDeadline(t time.Time) error { c.writeDeadline = t; return nil }
func (c *capableWriter) SetReadDeadline(t time.Time) error  { c.readDeadline = t; return nil }
func (c *capableWriter) EnableFullDuplex() error            { c.fullDuplex = true; return nil }

// onlyReader hides a reader's WriterTo, so io.Copy reaches ReadFrom.
type onlyReader struct{ io.Reader }

func TestFlushCommitsAndFlushes(t *testing.T) {
	f := newFixture(t)
	cookie := f.seed(visit{Count: 1})
	rec := httptest.NewRecorder()
	f.mw.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		must(t, f.mw.Session(r).Update(increment))
		must(t, http.NewResponseController(w).Flush())
		if v, _ := f.stored(cookie); v.Count != 2 {
			t.Errorf("Flush did not commit: Count %d", v.Count)
		}
		w.(http.Flusher).Flush() // the plain interface works too
	})).ServeHTTP(rec, request("GET", cookie))
	if !rec.Flushed {
		t.Error("the underlying writer was not flushed")
	}
	if _, ok := f.sessionCookie(rec.Result()); !ok {
		t.Error("the flushed headers lack Set-Cookie")
	}
}

func TestFlushAndHijackUnsupportedBeneathCommitNothing(t *testing.T) {
	f := newFixture(t)
	cookie := f.seed(visit{Count: 1})
	bare := newBareWriter()
	f.mw.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := f.mw.Session(r)
		must(t, s.Update(increment))
		rc := http.NewResponseController(w)
		if err := rc.Flush(); !errors.Is(err, http.ErrNotSupported) {
			t.Errorf("Flush = %v, want ErrNotSupported", err)
		}
		if _, _, err := rc.Hijack(); !errors.Is(err, http.ErrNotSupported) {
			t.Errorf("Hijack = %v, want ErrNotSupported", err)
		}
		if err := s.Update(increment); err != nil {
			t.Errorf("Update after an unsupported Flush = %v, want it still buffered", err)
		}
	})).ServeHTTP(bare, request("GET", cookie))
	if v, _ := f.stored(cookie); v.Count != 3 {
		t.Errorf("store holds Count %d, want 3", v.Count)
	}
}

func TestReadFromCommitsAndUsesTheUnderlyingReadFrom(t *testing.T) {
	f := newFixture(t)
	cookie := f.seed(visit{Count: 1})
	cw := &capableWriter{bareWriter: newBareWriter()}
	f.mw.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		must(t, f.mw.Session(r).Update(increment))
		if _, err := io.Copy(w, onlyReader{strings.NewReader("payload")}); err != nil {
			t.Error(err)
		}
	})).ServeHTTP(cw, request("GET", cookie))
	if cw.readFrom != 1 || cw.body.String() != "payload" {
		t.Errorf("underlying ReadFrom calls %d, body %q; want 1 and the payload", cw.readFrom, cw.body.String())
	}
	if len(cw.header.Values("Set-Cookie")) != 1 {
		t.Error("ReadFrom did not commit before writing")
	}
}

func TestResponseControllerReachesTheWriterBeneath(t *testing.T) {
	f := newFixture(t)
	cw := &capableWriter{bareWriter: newBareWriter()}
	deadline := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
	f.mw.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		must(t, rc.SetWriteDeadline(deadline))
		must(t, rc.SetReadDeadline(deadline))
		must(t, rc.EnableFullDuplex())
		if w.(interface{ Unwrap() http.ResponseWriter }).Unwrap() != cw {
			t.Error("Unwrap does not return the underlying writer")
		}
	})).ServeHTTP(cw, request("GET", ""))
	if !cw.writeDeadline.Equal(deadline) || !cw.readDeadline.Equal(deadline) || !cw.fullDuplex {
		t.Errorf("deadlines %v %v, full duplex %v: not passed through", cw.writeDeadline, cw.readDeadline, cw.fullDuplex)
	}
}

func TestHijackCommitsAndLeavesTheHeadersToSend(t *testing.T) {
	f := newFixture(t)
	cookie := f.seed(visit{Count: 1})
	srv := httptest.NewServer(f.mw.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		must(t, f.mw.Session(r).Update(increment))
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		if v, _ := f.stored(cookie); v.Count != 2 {
			t.Errorf("Hijack did not commit: Count %d", v.Count)
		}
		// A handler speaking for itself sends the headers the commit left.
		buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n")
		w.Header().Write(buf)
		buf.WriteString("\r\nok")
		buf.Flush()
	})))
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL, nil)
	req.Header.Set("Cookie", cookie)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if got := body(t, resp); got != "ok" {
		t.Errorf("body %q, want ok", got)
	}
	if _, ok := f.sessionCookie(resp); !ok {
		t.Error("the hijacked response lacks the session's Set-Cookie")
	}
}

func TestHijackAfterAFailedCommitReturnsErrCommitFailed(t *testing.T) {
	f := newFixture(t)
	cookie := f.seed(visit{Count: 1})
	srv := httptest.NewServer(f.mw.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		must(t, f.mw.Session(r).Update(increment))
		f.store.down.Store(true)
		if _, _, err := http.NewResponseController(w).Hijack(); !errors.Is(err, httpsession.ErrCommitFailed) {
			t.Errorf("Hijack = %v, want ErrCommitFailed", err)
		}
		if err := http.NewResponseController(w).Flush(); !errors.Is(err, httpsession.ErrCommitFailed) {
			t.Errorf("Flush = %v, want ErrCommitFailed", err)
		}
		if _, err := io.Copy(w, onlyReader{strings.NewReader("x")}); !errors.Is(err, httpsession.ErrCommitFailed) {
			t.Errorf("ReadFrom = %v, want ErrCommitFailed", err)
		}
		w.WriteHeader(http.StatusTeapot) // dropped
	})))
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL, nil)
	req.Header.Set("Cookie", cookie)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("status %d, want the error handler's 500", resp.StatusCode)
	}
}

func TestWritesAfterTheHandlerCommittedGoStraightThrough(t *testing.T) {
	f := newFixture(t)
	rec := httptest.NewRecorder()
	f.mw.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, "a")
		w.Write([]byte("b"))
		io.Copy(w, onlyReader{strings.NewReader("c")})
		bw := bufio.NewWriter(w)
		bw.WriteString("d")
		bw.Flush()
	})).ServeHTTP(rec, request("GET", ""))
	if rec.Code != http.StatusCreated || rec.Body.String() != "abcd" {
		t.Errorf("response %d %q, want 201 abcd", rec.Code, rec.Body.String())
	}
}
