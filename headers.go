package sessions

// ToCookieHeaders returns the response headers for s: Set-Cookie and
// Cache-Control: no-store if s is Modified (a new or changed token, a
// slid deadline or a deletion), and always Vary: Cookie, since the
// response depended on the request's cookie.
func (m *Manager[V]) ToCookieHeaders(s Session[V]) []Header {
	return m.AppendCookieHeaders(make([]Header, 0, 3), s)
}

// AppendCookieHeaders appends the headers ToCookieHeaders returns to dst
// and returns the extended slice, so a caller with a buffer allocates
// nothing.
func (m *Manager[V]) AppendCookieHeaders(dst []Header, s Session[V]) []Header {
	if s.modified {
		if value, ok := m.setCookieValue(s); ok {
			dst = append(dst, Header{"Set-Cookie", value}, Header{"Cache-Control", "no-store"})
		}
	}
	return append(dst, Header{"Vary", "Cookie"})
}

// ClearHeaders returns headers that expire the session cookie whatever
// the request carried, for a logout that does not load the session.
func (m *Manager[V]) ClearHeaders() []Header {
	return []Header{
		{"Set-Cookie", m.cookie.deleteCookie()},
		{"Cache-Control", "no-store"},
		{"Vary", "Cookie"},
	}
}

// setCookieValue returns the Set-Cookie value for a modified session. A
// token too large for a cookie was refused when it was written, so ok is
// false only for a Session the Manager did not make.
func (m *Manager[V]) setCookieValue(s Session[V]) (string, bool) {
	if s.cleared {
		return m.cookie.deleteCookie(), true
	}
	if s.Token() == "" {
		return "", false
	}
	v, err := m.cookie.setCookie(s.Token(), s.Persistent(), s.ExpiresAt(), m.clock())
	return v, err == nil
}
