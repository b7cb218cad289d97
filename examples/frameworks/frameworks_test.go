package frameworks

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/labstack/echo/v5"
	"github.com/valyala/fasthttp"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/memory"
)

func newManager(t *testing.T) *sessions.Manager[Visit] {
	t.Helper()
	store, err := memory.New[Visit]()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	m, err := sessions.New[Visit](store)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// serveFasthttp serves h with a real fasthttp server on a loopback port
// and returns its base URL.
func serveFasthttp(t *testing.T, h fasthttp.RequestHandler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &fasthttp.Server{Handler: h}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		if err := srv.Shutdown(); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// The headers a handler sets before the session's are applied: the
// session's Cache-Control must replace the first, and Vary must merge with
// the second, adding Cookie once.
const handlerCacheControl = "public, max-age=60"

func TestFrameworksApplyTheSessionHeaders(t *testing.T) {
	for name, serve := range map[string]func(t *testing.T, m *sessions.Manager[Visit], vary string) string{
		"fasthttp": func(t *testing.T, m *sessions.Manager[Visit], vary string) string {
			h := Fasthttp(m)
			return serveFasthttp(t, func(ctx *fasthttp.RequestCtx) {
				ctx.Response.Header.Set("Vary", vary)
				ctx.Response.Header.Set("Cache-Control", handlerCacheControl)
				h(ctx)
			})
		},
		"echo": func(t *testing.T, m *sessions.Manager[Visit], vary string) string {
			e := Echo(m)
			e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
				return func(c *echo.Context) error {
					c.Response().Header().Set("Vary", vary)
					c.Response().Header().Set("Cache-Control", handlerCacheControl)
					return next(c)
				}
			})
			srv := httptest.NewServer(e)
			t.Cleanup(srv.Close)
			return srv.URL
		},
	} {
		for _, tc := range []struct{ handlerVary, want string }{
			{"Accept-Encoding", "Accept-Encoding,Cookie"},
			{"Accept-Encoding, cookie", "Accept-Encoding,cookie"},
		} {
			t.Run(name+"/"+tc.handlerVary, func(t *testing.T) {
				base := serve(t, newManager(t), tc.handlerVary)
				want := strings.Split(tc.want, ",")

				first := get(t, base, "")
				checkSessionHeaders(t, first, "visit 1", want)
				cookie := sessionCookie(t, first)

				second := get(t, base, "theme=dark; "+cookie.Name+"="+cookie.Value)
				checkSessionHeaders(t, second, "visit 2", want)
				if next := sessionCookie(t, second); next.Value != cookie.Value {
					t.Errorf("the token changed between visits: %q, then %q", cookie.Value, next.Value)
				}
			})
		}
	}
}

type response struct {
	header http.Header
	body   string
}

func get(t *testing.T, base, cookie string) response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, base+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	return response{resp.Header, string(body)}
}

// checkSessionHeaders checks the rules of sessions.WriteHeaders as the
// client received them: one Set-Cookie for the session, the handler's
// Cache-Control replaced by no-store, and Vary as wanted.
func checkSessionHeaders(t *testing.T, r response, body string, wantVary []string) {
	t.Helper()
	if r.body != body {
		t.Errorf("body = %q, want %q", r.body, body)
	}
	if got := r.header.Values("Set-Cookie"); len(got) != 1 || !strings.HasPrefix(got[0], "__Host-session=") ||
		!strings.Contains(got[0], "; Secure; HttpOnly; SameSite=Lax") {
		t.Errorf("Set-Cookie = %q, want one secure __Host-session cookie", got)
	}
	if got := r.header.Values("Cache-Control"); !slices.Equal(got, []string{"no-store"}) {
		t.Errorf("Cache-Control = %q, want [no-store]", got)
	}
	var vary []string
	for _, v := range r.header.Values("Vary") {
		for tok := range strings.SplitSeq(v, ",") {
			vary = append(vary, strings.TrimSpace(tok))
		}
	}
	if !slices.Equal(vary, wantVary) {
		t.Errorf("Vary = %q, want %q", vary, wantVary)
	}
}

func sessionCookie(t *testing.T, r response) *http.Cookie {
	t.Helper()
	c, err := http.ParseSetCookie(r.header.Get("Set-Cookie"))
	if err != nil {
		t.Fatalf("Set-Cookie: %v", err)
	}
	return c
}
