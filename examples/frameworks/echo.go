package frameworks

import (
	"net/http"

	"github.com/labstack/echo/v5"

	"github.com/typedsession/sessions"
)

// Echo returns an Echo server that counts visits in m's sessions on
// GET /. Echo's response is net/http's, so WriteHeaders applies the
// session's headers.
func Echo(m *sessions.Manager[Visit]) *echo.Echo {
	e := echo.New()
	e.GET("/", func(c *echo.Context) error {
		r := c.Request()
		s, body, err := countVisit(r.Context(), m, r.Header.Values("Cookie")...) // glue
		if err != nil {
			return c.String(http.StatusServiceUnavailable, "session unavailable")
		}
		sessions.WriteHeaders(c.Response().Header(), m.ToCookieHeaders(s)) // glue
		return c.String(http.StatusOK, body)
	})
	return e
}
