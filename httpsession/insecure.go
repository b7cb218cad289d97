package httpsession

import (
	"net"
	"net/netip"
	"strings"

	"github.com/typedsession/sessions"
)

// warnIfInsecure calls the insecure-request hook when hs sets the Secure
// cookie on a request a browser made over plain HTTP to a host that is
// not a potentially trustworthy origin: the browser refuses the cookie.
func (h *Handle[V]) warnIfInsecure(hs []sessions.Header) {
	hook := h.mw.cfg.insecureHook
	if hook == nil || !h.mw.secure || h.req.TLS != nil || trustworthyHost(h.req.Host) {
		return
	}
	for _, hd := range hs {
		if hd.Name == "Set-Cookie" {
			hook(h.req)
			return
		}
	}
}

// trustworthyHost reports whether browsers keep Secure cookies over plain
// HTTP from hostport: a loopback address, localhost or a name under
// .localhost. It is the host the browser addressed that counts, not the
// peer's address.
func trustworthyHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	host = strings.TrimSuffix(host, ".")
	if strings.EqualFold(host, "localhost") ||
		(len(host) > len(".localhost") && strings.EqualFold(host[len(host)-len(".localhost"):], ".localhost")) {
		return true
	}
	addr, err := netip.ParseAddr(host)
	return err == nil && addr.IsLoopback()
}
