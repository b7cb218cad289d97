package frameworks

import (
	"bytes"

	"github.com/valyala/fasthttp"

	"github.com/typedsession/sessions"
)

// Fasthttp returns a fasthttp handler that counts visits in m's sessions.
// fasthttp hands out header values as bytes, one slice per header line;
// ApplyHeaders reads only Vary, a comma-separated list, so the lines are
// joined with commas, as HTTP allows for list headers.
func Fasthttp(m *sessions.Manager[Visit]) fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		cookie := string(ctx.Request.Header.Peek("Cookie")) // glue
		s, body, err := countVisit(ctx, m, cookie)
		if err != nil {
			ctx.Error("session unavailable", fasthttp.StatusServiceUnavailable)
			return
		}
		h := &ctx.Response.Header                                                                            // glue
		values := func(k string) []string { return []string{string(bytes.Join(h.PeekAll(k), []byte(",")))} } // glue
		sessions.ApplyHeaders(m.ToCookieHeaders(s), values, h.Add, h.Set)                                    // glue
		ctx.SetBodyString(body)
	}
}
