package sessions

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"strconv"
	"strings"
	"time"
)

// Cookie configures the session cookie. The zero value is the secure
// default: a host-only cookie named "__Host-session" with Path=/, Secure,
// HttpOnly and SameSite=Lax, lasting for the browser session unless the
// session is persistent. Fields that weaken it say so by name, and
// configurations browsers would silently ignore or that would weaken a
// cookie prefix are refused when the Manager is constructed.
//
// The name matters for more than looks. A "__Host-" name makes two cookies
// of the same name impossible except by the user's own configuration: the
// browser refuses any such cookie that has a Domain, a Path other than "/"
// or no Secure flag, so a sibling subdomain or a plain-HTTP page cannot
// plant one beside the session. With another name, or with Domain or Path
// set, a request can carry several cookies of the name; if more than one of
// them names a live session the Manager treats the request as having none,
// so a stale duplicate (left, say, by an older Path or Domain setting)
// keeps a user logged out until it expires.
type Cookie struct {
	// Name is the cookie name; "" means "__Host-session". It must be an
	// RFC 6265 token, and a "__Host-" or "__Secure-" prefix must be
	// spelled exactly so.
	Name string

	// Domain makes the cookie visible to subdomains; "" keeps it host-only.
	// It is refused with a "__Host-" name; use "__Secure-" to share a
	// session across subdomains.
	Domain string

	// Path limits the cookie to a path prefix; "" means "/". A "__Host-"
	// name requires "/".
	Path string

	// SameSite is the cookie's SameSite attribute. Zero and
	// http.SameSiteDefaultMode mean Lax, which is always emitted rather than
	// left to each browser's default.
	SameSite http.SameSite

	// Partitioned adds the Partitioned attribute (CHIPS), keying the cookie
	// to the top-level site when the application is embedded cross-site.
	Partitioned bool

	// Persistent is the default for new sessions: a persistent session's
	// cookie carries Max-Age and Expires and so survives a browser restart.
	// WithPersistent overrides it per session.
	Persistent bool

	// Insecure drops the Secure attribute, for plain-HTTP development on a
	// non-loopback address. It is refused with "__Host-" and "__Secure-"
	// names, with SameSite=None and with Partitioned, all of which browsers
	// accept only on Secure cookies. HttpOnly is always set.
	Insecure bool
}

// Header is one response header as a (name, value) pair, so callers outside
// net/http can apply the Manager's headers to whatever response type they
// have.
type Header struct{ Name, Value string }

const (
	// maxCandidates bounds how many distinct cookie values of the session
	// name one request can make the Manager look up.
	maxCandidates = 8

	// maxCookieBytes is the size of a whole Set-Cookie header value,
	// including the name, that RFC 6265bis requires browsers to keep.
	maxCookieBytes = 4096

	// maxCookieLifetime is the longest lifetime browsers give a cookie;
	// a longer session would outlive its cookie.
	maxCookieLifetime = 400 * 24 * time.Hour

	// maxAttributeBytes is the longest attribute value RFC 6265bis lets
	// browsers accept; a longer Path would be silently ignored.
	maxAttributeBytes = 1024

	// maxDomainBytes is the longest DNS name.
	maxDomainBytes = 253

	// maxNameBytes bounds the cookie name. Browsers bound only name and
	// value together (4096 bytes), but a name this long leaves little room
	// for a token and says more about a configuration mistake than intent.
	maxNameBytes = 256

	defaultCookieName = "__Host-session"
	hostPrefix        = "__Host-"
	securePrefix      = "__Secure-"

	maxAgeAttr  = "; Max-Age="
	expiresAttr = "; Expires="
	// deletionLifetime expires a cookie in every browser: Max-Age=0 for
	// those that read it and a date in the past for those that do not.
	deletionLifetime = maxAgeAttr + "0" + expiresAttr + "Thu, 01 Jan 1970 00:00:00 GMT"
)

// cookieSpec is a validated Cookie with its attribute strings precomputed,
// so emitting a header is concatenation.
type cookieSpec struct {
	cookieName string
	persistent bool
	scope      string // "; Path=p[; Domain=d]", between the value and Max-Age
	flags      string // "; Secure; HttpOnly; SameSite=s[; Partitioned]", last
	deletion   string // the whole deletion header value
}

// newCookieSpec validates c for a Manager whose sessions live at most
// lifetime and whose store's tokens are at most maxTokenLen bytes. Every
// configuration refused here is one a browser would silently reject or
// ignore part of, or one that would weaken a cookie prefix.
func newCookieSpec(c Cookie, lifetime time.Duration, maxTokenLen int) (cookieSpec, error) {
	name := cmp.Or(c.Name, defaultCookieName)
	path := cmp.Or(c.Path, "/")
	for _, err := range []error{
		checkCookieName(name),
		checkPrefixRules(name, c, path),
		checkInsecure(c),
		checkSameSite(c.SameSite),
		checkDomain(c.Domain),
		checkPath(path),
		checkLifetime(lifetime),
	} {
		if err != nil {
			return cookieSpec{}, err
		}
	}
	if maxTokenLen < 0 {
		return cookieSpec{}, fmt.Errorf("sessions: cookie: negative maximum token length %d", maxTokenLen)
	}
	sameSite, _ := sameSiteAttr(c.SameSite)
	spec := cookieSpec{
		cookieName: name,
		persistent: c.Persistent,
		scope:      scopeAttrs(path, c.Domain),
		flags:      flagAttrs(c, sameSite),
	}
	spec.deletion = name + "=" + spec.scope + deletionLifetime + spec.flags
	if n := spec.maxLen(lifetime, maxTokenLen); n > maxCookieBytes {
		return cookieSpec{}, fmt.Errorf("sessions: cookie: a Set-Cookie header could reach %d bytes, over the %d browsers keep: %w",
			n, maxCookieBytes, ErrCookieTooLarge)
	}
	return spec, nil
}

// name returns the cookie name.
func (c *cookieSpec) name() string { return c.cookieName }

// persistentByDefault reports whether new sessions are persistent unless
// told otherwise.
func (c *cookieSpec) persistentByDefault() bool { return c.persistent }

// maxLen returns the length of the longest Set-Cookie header value c can
// produce: a persistent cookie with a maxTokenLen-byte value whose Max-Age
// is the whole lifetime.
func (c *cookieSpec) maxLen(lifetime time.Duration, maxTokenLen int) int {
	digits := len(strconv.AppendInt(nil, maxAgeSeconds(lifetime), 10))
	return len(c.cookieName) + 1 + maxTokenLen + len(c.scope) +
		len(maxAgeAttr) + digits + len(expiresAttr) + len(http.TimeFormat) + len(c.flags)
}

// errCookieValue is returned for a value the scanner would never read back;
// emitting it would hand the client a cookie that can only look absent.
var errCookieValue = errors.New("sessions: cookie: value is empty or has a byte outside RFC 6265 cookie-octet")

// setCookie returns the Set-Cookie header value for a live session. A
// persistent cookie carries Max-Age, rounded up so a live session never
// gets Max-Age=0, and Expires set to the same instant for browsers that
// ignore Max-Age. It allocates only the returned string.
func (c *cookieSpec) setCookie(value string, persistent bool, expiresAt, now time.Time) (string, error) {
	if value == "" || !cookieOctets(value) {
		return "", errCookieValue
	}
	// Both buffers are large enough for any four-digit year, so formatting
	// stays on the stack.
	var ageBuf [20]byte
	var dateBuf [40]byte
	var maxAge, expires []byte
	n := len(c.cookieName) + 1 + len(value) + len(c.scope) + len(c.flags)
	if persistent {
		secs := maxAgeSeconds(expiresAt.Sub(now))
		maxAge = strconv.AppendInt(ageBuf[:0], secs, 10)
		at := now.UTC().Add(time.Duration(secs) * time.Second)
		expires = at.AppendFormat(dateBuf[:0], http.TimeFormat)
		n += len(maxAgeAttr) + len(maxAge) + len(expiresAttr) + len(expires)
	}
	if n > maxCookieBytes {
		return "", fmt.Errorf("%w: a Set-Cookie header of %d bytes for %q, over the %d browsers keep",
			ErrCookieTooLarge, n, c.cookieName, maxCookieBytes)
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(c.cookieName)
	b.WriteByte('=')
	b.WriteString(value)
	b.WriteString(c.scope)
	if persistent {
		b.WriteString(maxAgeAttr)
		b.Write(maxAge)
		b.WriteString(expiresAttr)
		b.Write(expires)
	}
	b.WriteString(c.flags)
	return b.String(), nil
}

// deleteCookie returns the Set-Cookie header value that removes the cookie.
// It repeats the scope and prefix attributes, since a browser deletes only
// the cookie with the same name, Domain and Path, and refuses a prefixed
// cookie without them.
func (c *cookieSpec) deleteCookie() string { return c.deletion }

// maxAgeSeconds returns d in whole seconds, rounded up, at least 1 and at
// most the 400 days browsers would cap it to anyway.
func maxAgeSeconds(d time.Duration) int64 {
	if d <= 0 {
		return 1
	}
	d = min(d, maxCookieLifetime)
	secs := int64(d / time.Second)
	if d%time.Second != 0 {
		secs++
	}
	return secs
}

// scopeAttrs returns the Path and Domain attributes.
func scopeAttrs(path, domain string) string {
	s := "; Path=" + path
	if domain != "" {
		s += "; Domain=" + domain
	}
	return s
}

// flagAttrs returns the attributes that follow the lifetime.
func flagAttrs(c Cookie, sameSite string) string {
	var b strings.Builder
	if !c.Insecure {
		b.WriteString("; Secure")
	}
	b.WriteString("; HttpOnly; SameSite=")
	b.WriteString(sameSite)
	if c.Partitioned {
		b.WriteString("; Partitioned")
	}
	return b.String()
}

// sameSiteAttr returns the SameSite attribute value for s. Lax is written
// out even when it is the default, because browsers' defaults differ.
func sameSiteAttr(s http.SameSite) (string, error) {
	switch s {
	case 0, http.SameSiteDefaultMode, http.SameSiteLaxMode:
		return "Lax", nil
	case http.SameSiteStrictMode:
		return "Strict", nil
	case http.SameSiteNoneMode:
		return "None", nil
	}
	return "", fmt.Errorf("sessions: cookie: invalid SameSite value %d", int(s))
}

// checkSameSite refuses SameSite values net/http does not define.
func checkSameSite(s http.SameSite) error {
	_, err := sameSiteAttr(s)
	return err
}

// checkCookieName reports whether name is an RFC 6265 cookie name (an
// RFC 7230 token) and, if it starts with a cookie prefix in any
// capitalisation, whether it is spelled exactly: browsers differ on whether
// they enforce a miscapitalised prefix, so its guarantee cannot be relied on.
func checkCookieName(name string) error {
	if len(name) > maxNameBytes {
		return fmt.Errorf("sessions: cookie: Name is %d bytes, over %d", len(name), maxNameBytes)
	}
	if name == "" || !isToken(name) {
		return fmt.Errorf("sessions: cookie: Name %q is not an RFC 6265 token", name)
	}
	for _, p := range [...]string{hostPrefix, securePrefix} {
		if len(name) >= len(p) && strings.EqualFold(name[:len(p)], p) && name[:len(p)] != p {
			return fmt.Errorf("sessions: cookie: name %q must spell its prefix exactly %q", name, p)
		}
	}
	return nil
}

// checkPrefixRules refuses what browsers refuse for prefixed names, which
// would otherwise make every Set-Cookie silently vanish.
func checkPrefixRules(name string, c Cookie, path string) error {
	switch {
	case strings.HasPrefix(name, hostPrefix) && c.Domain != "":
		return fmt.Errorf("sessions: cookie: a %q name cannot have a Domain (use %q to share across subdomains)", hostPrefix, securePrefix)
	case strings.HasPrefix(name, hostPrefix) && path != "/":
		return fmt.Errorf("sessions: cookie: a %q name requires Path \"/\", not %q", hostPrefix, path)
	case (strings.HasPrefix(name, hostPrefix) || strings.HasPrefix(name, securePrefix)) && c.Insecure:
		return fmt.Errorf("sessions: cookie: name %q requires Secure; use another name with Insecure", name)
	}
	return nil
}

// checkInsecure refuses attributes browsers accept only on Secure cookies.
func checkInsecure(c Cookie) error {
	switch {
	case c.Insecure && c.SameSite == http.SameSiteNoneMode:
		return errors.New("sessions: cookie: SameSite=None requires Secure")
	case c.Insecure && c.Partitioned:
		return errors.New("sessions: cookie: Partitioned requires Secure")
	}
	return nil
}

// checkDomain accepts "" or a host name of two or more dot-separated
// labels of letters, digits and inner hyphens. A leading dot is refused
// rather than stripped, as it is obsolete and means nothing more than the
// name without it. A single label ("com", "localhost") is refused: as a
// Domain it either names a top-level domain, which browsers refuse, or a
// single host, which an empty Domain serves better.
func checkDomain(d string) error {
	if d == "" {
		return nil
	}
	if len(d) > maxDomainBytes {
		return fmt.Errorf("sessions: cookie: Domain is %d bytes, over %d", len(d), maxDomainBytes)
	}
	for label := range strings.SplitSeq(d, ".") {
		if label == "" || len(label) > 63 || !isHostLabel(label) {
			return fmt.Errorf("sessions: cookie: Domain %q is not a host name", d)
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("sessions: cookie: Domain %q has a label that starts or ends with '-'", d)
		}
	}
	if !strings.Contains(d, ".") {
		return fmt.Errorf("sessions: cookie: Domain %q is a single label, which browsers refuse or treat as host-only; leave Domain empty for a host-only cookie", d)
	}
	return nil
}

// checkPublicSuffix refuses a Domain that is a public suffix, such as
// "co.uk", which browsers refuse, when the Manager was given a list.
func checkPublicSuffix(d string, list cookiejar.PublicSuffixList) error {
	if d == "" || list == nil {
		return nil
	}
	lower := strings.ToLower(d)
	if list.PublicSuffix(lower) == lower {
		return fmt.Errorf("sessions: cookie: Domain %q is a public suffix (by %s), which browsers refuse", d, list.String())
	}
	return nil
}

// isHostLabel reports whether s has only letters, digits and hyphens.
func isHostLabel(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// checkPath accepts an absolute path of printable ASCII without ';', short
// enough that browsers do not ignore it.
func checkPath(p string) error {
	if !strings.HasPrefix(p, "/") {
		return fmt.Errorf("sessions: cookie: Path %q does not start with '/'", p)
	}
	if len(p) > maxAttributeBytes {
		return fmt.Errorf("sessions: cookie: Path is %d bytes, over %d", len(p), maxAttributeBytes)
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c < 0x20 || c >= 0x7f || c == ';' {
			return fmt.Errorf("sessions: cookie: Path %q has a control, non-ASCII or ';' byte", p)
		}
	}
	return nil
}

// checkLifetime refuses lifetimes a cookie cannot carry.
func checkLifetime(d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("sessions: cookie: lifetime %v is not positive", d)
	}
	if d > maxCookieLifetime {
		return fmt.Errorf("sessions: cookie: lifetime %v exceeds the 400 days browsers keep a cookie", d)
	}
	return nil
}

// isToken reports whether s consists of RFC 7230 tchar bytes.
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// isCookieOctet reports whether c may appear in an unquoted RFC 6265
// cookie value: printable ASCII except DQUOTE, comma, semicolon and
// backslash.
func isCookieOctet(c byte) bool {
	return c == 0x21 || 0x23 <= c && c <= 0x2b || 0x2d <= c && c <= 0x3a ||
		0x3c <= c && c <= 0x5b || 0x5d <= c && c <= 0x7e
}

// cookieOctets reports whether every byte of s is a cookie-octet.
func cookieOctets(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isCookieOctet(s[i]) {
			return false
		}
	}
	return true
}

// scanResult says what scanning the request's Cookie headers found.
type scanResult struct {
	candidates [maxCandidates]string // distinct values that passed valid(), substrings of the headers
	n          int                   // how many of candidates are set
	sawName    bool                  // a cookie with the name was present at all (even if invalid)
	tooMany    bool                  // more than maxCandidates distinct valid values: treat as absent
}

// scanCookies scans Cookie request-header values for cookies named name,
// returning the distinct values that have cookie syntax and pass valid.
// Names match byte for byte with no decoding or case folding, and nothing
// but SP and HTAB around a pair is trimmed, so a cookie matches only if the
// browser stored it under exactly this name. It allocates nothing and runs
// in time linear in the input (valid permitting); once more than
// maxCandidates distinct values are found it stops and sets tooMany.
func scanCookies(name string, headers []string, valid func(string) bool) scanResult {
	var r scanResult
	if name == "" {
		// A nameless pair is not a session cookie, whatever its value.
		return r
	}
	for _, h := range headers {
		if !r.scanHeader(name, h, valid) {
			break
		}
	}
	return r
}

// scanHeader scans one Cookie header value, reporting false once tooMany is
// set and scanning should stop.
func (r *scanResult) scanHeader(name, h string, valid func(string) bool) bool {
	for h != "" {
		pair := h
		if i := strings.IndexByte(h, ';'); i >= 0 {
			pair, h = h[:i], h[i+1:]
		} else {
			h = ""
		}
		pair = trimOWS(pair)
		eq := strings.IndexByte(pair, '=')
		if eq < 0 || pair[:eq] != name {
			continue
		}
		r.sawName = true
		// Quoted values start with '"', which is not a cookie-octet, so
		// the octet check skips them too.
		if v := pair[eq+1:]; v != "" && cookieOctets(v) && !r.add(v, valid) {
			return false
		}
	}
	return true
}

// add records v unless it is a duplicate or fails valid. It reports false
// if v is one distinct valid value too many.
func (r *scanResult) add(v string, valid func(string) bool) bool {
	for _, c := range r.candidates[:r.n] {
		if c == v {
			return true
		}
	}
	if valid != nil && !valid(v) {
		return true
	}
	if r.n == maxCandidates {
		r.tooMany = true
		return false
	}
	r.candidates[r.n] = v
	r.n++
	return true
}

// trimOWS removes the optional whitespace (SP and HTAB) of RFC 6265 around
// a cookie pair, and nothing else.
func trimOWS(s string) string {
	for s != "" && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for s != "" && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}
