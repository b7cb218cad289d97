package sessions

import (
	"errors"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

const cookieDay = 24 * time.Hour // a day, for cookie lifetimes

func TestNewCookieSpecRefusesUnsafeOrIgnoredConfigurations(t *testing.T) {
	long := func(n int, s string) string { return strings.Repeat(s, n) }
	label := long(63, "a")
	tests := []struct {
		name     string
		cookie   Cookie
		tokenLen int // 0 means TokenLen
	}{
		{name: "name with a space", cookie: Cookie{Name: "ses sion"}},
		{name: "name with a semicolon", cookie: Cookie{Name: "a;b"}},
		{name: "name with an equals sign", cookie: Cookie{Name: "a=b"}},
		{name: "name with a separator", cookie: Cookie{Name: "(sid)"}},
		{name: "name with a control byte", cookie: Cookie{Name: "sid\x00"}},
		{name: "name with non-ASCII", cookie: Cookie{Name: "séance"}},
		{name: "lowercase host prefix", cookie: Cookie{Name: "__host-session"}},
		{name: "uppercase host prefix", cookie: Cookie{Name: "__HOST-session"}},
		{name: "mixed-case host prefix", cookie: Cookie{Name: "__HoSt-session"}},
		{name: "lowercase secure prefix", cookie: Cookie{Name: "__secure-session"}},
		{name: "uppercase secure prefix", cookie: Cookie{Name: "__SECURE-session"}},
		{name: "host prefix with Domain", cookie: Cookie{Domain: "example.com"}},
		{name: "host prefix with another Path", cookie: Cookie{Path: "/app"}},
		{name: "explicit host prefix with Insecure", cookie: Cookie{Name: "__Host-id", Insecure: true}},
		{name: "default name with Insecure", cookie: Cookie{Insecure: true}},
		{name: "secure prefix with Insecure", cookie: Cookie{Name: "__Secure-id", Insecure: true}},
		{name: "SameSite None with Insecure", cookie: Cookie{Name: "sid", SameSite: http.SameSiteNoneMode, Insecure: true}},
		{name: "Partitioned with Insecure", cookie: Cookie{Name: "sid", Partitioned: true, Insecure: true}},
		{name: "SameSite beyond None", cookie: Cookie{SameSite: http.SameSiteNoneMode + 1}},
		{name: "negative SameSite", cookie: Cookie{SameSite: -1}},
		{name: "Domain with a leading dot", cookie: Cookie{Name: "sid", Domain: ".example.com"}},
		{name: "Domain with a trailing dot", cookie: Cookie{Name: "sid", Domain: "example.com."}},
		{name: "Domain with an empty label", cookie: Cookie{Name: "sid", Domain: "example..com"}},
		{name: "Domain with a space", cookie: Cookie{Name: "sid", Domain: "exa mple.com"}},
		{name: "Domain with a semicolon", cookie: Cookie{Name: "sid", Domain: "example.com;x=y"}},
		{name: "Domain with a control byte", cookie: Cookie{Name: "sid", Domain: "exa\x01mple.com"}},
		{name: "Domain with an underscore", cookie: Cookie{Name: "sid", Domain: "exa_mple.com"}},
		{name: "Domain with non-ASCII", cookie: Cookie{Name: "sid", Domain: "bücher.example"}},
		{name: "Domain over 253 bytes", cookie: Cookie{Name: "sid", Domain: label + "." + label + "." + label + "." + long(62, "a")}},
		{name: "Domain label over 63 bytes", cookie: Cookie{Name: "sid", Domain: long(64, "a") + ".com"}},
		{name: "relative Path", cookie: Cookie{Name: "sid", Path: "app"}},
		{name: "Path with a semicolon", cookie: Cookie{Name: "sid", Path: "/a;b"}},
		{name: "Path with a control byte", cookie: Cookie{Name: "sid", Path: "/a\nb"}},
		{name: "Path with DEL", cookie: Cookie{Name: "sid", Path: "/a\x7f"}},
		{name: "Path with non-ASCII", cookie: Cookie{Name: "sid", Path: "/é"}},
		{name: "Path over 1024 bytes", cookie: Cookie{Name: "sid", Path: "/" + long(1024, "p")}},
		{name: "negative token length", tokenLen: -1},
		{name: "cookie that could exceed 4096 bytes", tokenLen: 3988},
		{name: "long name and token exceeding 4096 bytes", cookie: Cookie{Name: long(256, "n")}, tokenLen: 3800},
		{name: "name over 256 bytes", cookie: Cookie{Name: long(257, "n")}},
		{name: "Domain label starting with a hyphen", cookie: Cookie{Name: "sid", Domain: "-example.com"}},
		{name: "Domain label ending with a hyphen", cookie: Cookie{Name: "sid", Domain: "example-.com"}},
		{name: "Domain inner label ending with a hyphen", cookie: Cookie{Name: "sid", Domain: "www-.example.com"}},
		{name: "Domain label that is a hyphen", cookie: Cookie{Name: "sid", Domain: "a.-.com"}},
		{name: "single-label Domain", cookie: Cookie{Name: "sid", Domain: "com"}},
		{name: "single-label Domain localhost", cookie: Cookie{Name: "sid", Domain: "localhost"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tokenLen := tt.tokenLen
			if tokenLen == 0 {
				tokenLen = TokenLen
			}
			_, err := newCookieSpec(tt.cookie, cookieDay, tokenLen)
			checkCookieConfigError(t, err)
		})
	}
}

func TestNewCookieSpecRefusesLifetimesACookieCannotCarry(t *testing.T) {
	for _, lifetime := range []time.Duration{0, -time.Hour, 400*cookieDay + time.Nanosecond, 401 * cookieDay, math.MaxInt64} {
		t.Run(lifetime.String(), func(t *testing.T) {
			_, err := newCookieSpec(Cookie{}, lifetime, TokenLen)
			checkCookieConfigError(t, err)
		})
	}
}

func checkCookieConfigError(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("newCookieSpec accepted; want an error")
	}
	if !strings.HasPrefix(err.Error(), "sessions: cookie: ") {
		t.Errorf("error %q does not start with %q", err, "sessions: cookie: ")
	}
}

func TestNewCookieSpecAcceptsSafeConfigurations(t *testing.T) {
	label := strings.Repeat("a", 63)
	tests := []struct {
		name     string
		cookie   Cookie
		lifetime time.Duration
		wantName string
	}{
		{name: "zero value", wantName: "__Host-session"},
		{name: "host prefix spelled out with Path /", cookie: Cookie{Name: "__Host-id", Path: "/"}, wantName: "__Host-id"},
		{name: "secure prefix with Domain", cookie: Cookie{Name: "__Secure-id", Domain: "example.com"}, wantName: "__Secure-id"},
		{name: "secure prefix with Path", cookie: Cookie{Name: "__Secure-id", Path: "/app"}, wantName: "__Secure-id"},
		{name: "plain name with Insecure", cookie: Cookie{Name: "sid", Insecure: true}, wantName: "sid"},
		{name: "Strict", cookie: Cookie{SameSite: http.SameSiteStrictMode}, wantName: "__Host-session"},
		{name: "SameSite None when secure", cookie: Cookie{SameSite: http.SameSiteNoneMode}, wantName: "__Host-session"},
		{name: "SameSite default mode", cookie: Cookie{SameSite: http.SameSiteDefaultMode}, wantName: "__Host-session"},
		{name: "Partitioned when secure", cookie: Cookie{Partitioned: true}, wantName: "__Host-session"},
		{name: "token characters in the name", cookie: Cookie{Name: "a!#$%&'*+-.^_`|~9Z"}, wantName: "a!#$%&'*+-.^_`|~9Z"},
		{name: "name of exactly 256 bytes", cookie: Cookie{Name: strings.Repeat("n", 256)}, wantName: strings.Repeat("n", 256)},
		{name: "Domain with inner hyphens", cookie: Cookie{Name: "sid", Domain: "my-app.ex-ample.com"}, wantName: "sid"},
		{name: "IP address Domain", cookie: Cookie{Name: "sid", Domain: "192.0.2.1"}, wantName: "sid"},
		{name: "Domain of exactly 253 bytes", cookie: Cookie{Name: "sid", Domain: label + "." + label + "." + label + "." + strings.Repeat("a", 61)}, wantName: "sid"},
		{name: "Path of exactly 1024 bytes", cookie: Cookie{Name: "sid", Path: "/" + strings.Repeat("p", 1023)}, wantName: "sid"},
		{name: "lifetime of exactly 400 days", lifetime: 400 * cookieDay, wantName: "__Host-session"},
		{name: "persistent by default", cookie: Cookie{Persistent: true}, wantName: "__Host-session"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lifetime := tt.lifetime
			if lifetime == 0 {
				lifetime = cookieDay
			}
			spec, err := newCookieSpec(tt.cookie, lifetime, TokenLen)
			if err != nil {
				t.Fatalf("newCookieSpec(%+v): %v", tt.cookie, err)
			}
			if got := spec.name(); got != tt.wantName {
				t.Errorf("name() = %q, want %q", got, tt.wantName)
			}
			if got := spec.persistentByDefault(); got != tt.cookie.Persistent {
				t.Errorf("persistentByDefault() = %v, want %v", got, tt.cookie.Persistent)
			}
		})
	}
}

func TestNewCookieSpecSizeBoundIsExact(t *testing.T) {
	// For the zero Cookie and a 24h lifetime, everything but the value
	// takes 109 bytes, so a 3987-byte token is the largest that fits.
	const fits = 3987
	spec, err := newCookieSpec(Cookie{}, cookieDay, fits)
	if err != nil {
		t.Fatalf("newCookieSpec with %d-byte tokens: %v", fits, err)
	}
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	v, err := spec.setCookie(strings.Repeat("a", fits), true, now.Add(cookieDay), now)
	if err != nil {
		t.Fatalf("setCookie with the longest token: %v", err)
	}
	if len(v) != maxCookieBytes {
		t.Errorf("longest Set-Cookie is %d bytes, want exactly %d", len(v), maxCookieBytes)
	}
	_, err = newCookieSpec(Cookie{}, cookieDay, fits+1)
	if !errors.Is(err, ErrCookieTooLarge) {
		t.Errorf("newCookieSpec with %d-byte tokens: err = %v, want ErrCookieTooLarge", fits+1, err)
	}
}

func TestZeroCookieEmitsTheSecureDefault(t *testing.T) {
	spec := mustCookieSpec(t, Cookie{})
	got, err := spec.setCookie("tok", false, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	const want = "__Host-session=tok; Path=/; Secure; HttpOnly; SameSite=Lax"
	if got != want {
		t.Errorf("setCookie = %q, want %q", got, want)
	}
}

func TestSetCookieAttributeOrderIsFixed(t *testing.T) {
	spec := mustCookieSpec(t, Cookie{Name: "__Secure-id", Domain: "example.com", Path: "/app",
		SameSite: http.SameSiteStrictMode, Partitioned: true})
	now := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	got, err := spec.setCookie("tok", true, now.Add(time.Hour), now)
	if err != nil {
		t.Fatal(err)
	}
	const want = "__Secure-id=tok; Path=/app; Domain=example.com; Max-Age=3600; " +
		"Expires=Tue, 04 Mar 2025 06:06:07 GMT; Secure; HttpOnly; SameSite=Strict; Partitioned"
	if got != want {
		t.Errorf("setCookie =\n%q, want\n%q", got, want)
	}
}

func TestEmittedCookiesParseToTheirAttributes(t *testing.T) {
	// A fractional now and a non-UTC zone catch truncation and a missing
	// conversion to GMT.
	now := time.Date(2025, 3, 4, 5, 6, 7, 890_000_000, time.FixedZone("X", -7*3600))
	expiresAt := now.Add(90*time.Minute + 300*time.Millisecond)
	const wantMaxAge = 90*60 + 1
	token := strings.Repeat("A", TokenLen)
	configs := []struct {
		name       string
		cookie     Cookie
		wantName   string
		wantPath   string
		wantSecure bool
		wantSame   http.SameSite
	}{
		{"zero value", Cookie{}, "__Host-session", "/", true, http.SameSiteLaxMode},
		{"secure prefix with scope", Cookie{Name: "__Secure-s", Domain: "example.com", Path: "/app"}, "__Secure-s", "/app", true, http.SameSiteLaxMode},
		{"strict partitioned", Cookie{SameSite: http.SameSiteStrictMode, Partitioned: true}, "__Host-session", "/", true, http.SameSiteStrictMode},
		{"none", Cookie{SameSite: http.SameSiteNoneMode}, "__Host-session", "/", true, http.SameSiteNoneMode},
		{"insecure plain", Cookie{Name: "sid", Insecure: true, SameSite: http.SameSiteDefaultMode}, "sid", "/", false, http.SameSiteLaxMode},
	}
	for _, cfg := range configs {
		spec := mustCookieSpec(t, cfg.cookie)
		check := func(t *testing.T, header, wantValue string) *http.Cookie {
			t.Helper()
			c, err := http.ParseSetCookie(header)
			if err != nil {
				t.Fatalf("ParseSetCookie(%q): %v", header, err)
			}
			if c.Name != cfg.wantName || c.Value != wantValue {
				t.Errorf("%q: name, value = %q, %q; want %q, %q", header, c.Name, c.Value, cfg.wantName, wantValue)
			}
			if c.Path != cfg.wantPath || c.Domain != cfg.cookie.Domain {
				t.Errorf("%q: Path, Domain = %q, %q; want %q, %q", header, c.Path, c.Domain, cfg.wantPath, cfg.cookie.Domain)
			}
			if c.Secure != cfg.wantSecure || !c.HttpOnly || c.SameSite != cfg.wantSame || c.Partitioned != cfg.cookie.Partitioned {
				t.Errorf("%q: Secure=%v HttpOnly=%v SameSite=%v Partitioned=%v; want %v true %v %v",
					header, c.Secure, c.HttpOnly, c.SameSite, c.Partitioned, cfg.wantSecure, cfg.wantSame, cfg.cookie.Partitioned)
			}
			return c
		}
		t.Run(cfg.name+"/browser session", func(t *testing.T) {
			header, err := spec.setCookie(token, false, expiresAt, now)
			if err != nil {
				t.Fatal(err)
			}
			c := check(t, header, token)
			if c.MaxAge != 0 || !c.Expires.IsZero() {
				t.Errorf("%q: MaxAge=%d Expires=%v; want neither", header, c.MaxAge, c.Expires)
			}
		})
		t.Run(cfg.name+"/persistent", func(t *testing.T) {
			header, err := spec.setCookie(token, true, expiresAt, now)
			if err != nil {
				t.Fatal(err)
			}
			c := check(t, header, token)
			if c.MaxAge != wantMaxAge {
				t.Errorf("%q: MaxAge = %d, want %d", header, c.MaxAge, wantMaxAge)
			}
			if d := c.Expires.Sub(now.Add(time.Duration(c.MaxAge) * time.Second)).Abs(); d >= time.Second {
				t.Errorf("%q: Expires is %v away from now+Max-Age", header, d)
			}
			if !strings.HasSuffix(c.RawExpires, " GMT") {
				t.Errorf("%q: Expires %q is not in GMT", header, c.RawExpires)
			}
		})
		t.Run(cfg.name+"/deletion", func(t *testing.T) {
			header := spec.deleteCookie()
			c := check(t, header, "")
			if c.MaxAge >= 0 {
				t.Errorf("%q: MaxAge = %d, want Max-Age=0 (parsed as negative)", header, c.MaxAge)
			}
			if !c.Expires.Equal(time.Unix(0, 0)) {
				t.Errorf("%q: Expires = %v, want 1970-01-01", header, c.Expires)
			}
		})
	}
}

func TestSetCookieMaxAgeRoundsUpAndStaysPositive(t *testing.T) {
	spec := mustCookieSpec(t, Cookie{})
	now := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	tests := []struct {
		name      string
		expiresAt time.Time
		want      string
	}{
		{"one nanosecond left", now.Add(time.Nanosecond), "; Max-Age=1;"},
		{"exactly one second left", now.Add(time.Second), "; Max-Age=1;"},
		{"a second and a nanosecond left", now.Add(time.Second + time.Nanosecond), "; Max-Age=2;"},
		{"already expired", now.Add(-time.Hour), "; Max-Age=1;"},
		{"expiring now", now, "; Max-Age=1;"},
		{"400 days left", now.Add(400 * cookieDay), "; Max-Age=34560000;"},
		{"over 400 days left is capped", now.Add(500 * cookieDay), "; Max-Age=34560000; Expires=Wed, 08 Apr 2026 05:06:07 GMT;"},
		{"the largest duration is capped", time.Unix(1<<62, 0), "; Max-Age=34560000;"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := spec.setCookie("tok", true, tt.expiresAt, now)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(got, tt.want) {
				t.Errorf("setCookie = %q, want it to contain %q", got, tt.want)
			}
		})
	}
}

func TestSetCookieSurvivesExtremeTimes(t *testing.T) {
	spec := mustCookieSpec(t, Cookie{})
	far := time.Date(9000, 1, 1, 0, 0, 0, 0, time.UTC)
	// Must not panic; the result may be an error for an absurd date.
	_, _ = spec.setCookie("tok", true, far, time.Time{})
	_, _ = spec.setCookie("tok", true, time.Time{}, far)
}

func TestSetCookieTooLargeIsErrCookieTooLarge(t *testing.T) {
	spec := mustCookieSpec(t, Cookie{})
	_, err := spec.setCookie(strings.Repeat("a", maxCookieBytes), false, time.Time{}, time.Time{})
	if !errors.Is(err, ErrCookieTooLarge) {
		t.Errorf("setCookie with a %d-byte value: err = %v, want ErrCookieTooLarge", maxCookieBytes, err)
	}
}

func TestSetCookieRefusesValuesTheScannerWouldSkip(t *testing.T) {
	spec := mustCookieSpec(t, Cookie{})
	for _, v := range []string{"", `"tok"`, "a b", "a;b", "a\r\nSet-Cookie: x=y", "a,b", `a\b`, "é"} {
		if got, err := spec.setCookie(v, false, time.Time{}, time.Time{}); err == nil {
			t.Errorf("setCookie(%q) = %q, want an error", v, got)
		}
	}
}

func TestSetCookieAllocatesOnlyTheResult(t *testing.T) {
	spec := mustCookieSpec(t, Cookie{Domain: "", Partitioned: true})
	now := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	token := strings.Repeat("A", TokenLen)
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = spec.setCookie(token, true, now.Add(time.Hour), now)
	})
	if allocs > 1 {
		t.Errorf("setCookie allocates %v times, want 1", allocs)
	}
}

func TestScanCookies(t *testing.T) {
	// The valid func rejects values starting with "bad", standing in for
	// a token syntax check.
	valid := func(v string) bool { return !strings.HasPrefix(v, "bad") }
	nine := func(prefix string) []string {
		var pairs []string
		for i := range 9 {
			pairs = append(pairs, "session="+prefix+string(rune('1'+i)))
		}
		return pairs
	}
	tests := []struct {
		name        string
		headers     []string
		want        []string
		wantSawName bool
		wantTooMany bool
	}{
		{name: "no headers", headers: nil},
		{name: "empty header", headers: []string{""}},
		{name: "exact name matches", headers: []string{"session=a1"}, want: []string{"a1"}, wantSawName: true},
		{name: "name differing in case is another cookie", headers: []string{"Session=a1; SESSION=a2"}},
		{name: "name with a trailing space is another cookie", headers: []string{"session =a1"}},
		{name: "name with a leading byte is another cookie", headers: []string{"xsession=a1"}},
		{name: "name with a trailing byte is another cookie", headers: []string{"sessionx=a1"}},
		{name: "percent-encoded name is not decoded", headers: []string{"sessio%6E=a1"}},
		{name: "SP and HTAB around pairs are trimmed", headers: []string{" \tsession=a1\t ;  other=x; \tsession=a2 "},
			want: []string{"a1", "a2"}, wantSawName: true},
		{name: "CR is not trimmed", headers: []string{"\rsession=a1; session=a2\r"}, wantSawName: true},
		{name: "LF is not trimmed", headers: []string{"\nsession=a1; session=a2\n"}, wantSawName: true},
		{name: "vertical tab and NBSP are not trimmed", headers: []string{"\vsession=a1;\u00a0session=a2"}},
		{name: "space after the equals sign makes the value invalid", headers: []string{"session= a1"}, wantSawName: true},
		{name: "pair without equals sign is skipped", headers: []string{"session; session"}},
		{name: "empty value is skipped", headers: []string{"session=; session=a1"}, want: []string{"a1"}, wantSawName: true},
		{name: "quoted value is skipped", headers: []string{`session="a1"`}, wantSawName: true},
		{name: "value with a space is skipped", headers: []string{"session=a b"}, wantSawName: true},
		{name: "value with a comma is skipped", headers: []string{"session=a,b"}, wantSawName: true},
		{name: "value with a backslash is skipped", headers: []string{`session=a\b`}, wantSawName: true},
		{name: "value with a DQUOTE inside is skipped", headers: []string{`session=a"b`}, wantSawName: true},
		{name: "value with DEL is skipped", headers: []string{"session=a\x7f"}, wantSawName: true},
		{name: "value with non-ASCII is skipped", headers: []string{"session=é"}, wantSawName: true},
		{name: "value with an equals sign is kept whole", headers: []string{"session=a=b"}, want: []string{"a=b"}, wantSawName: true},
		{name: "value failing valid is skipped but seen", headers: []string{"session=bad1"}, wantSawName: true},
		{name: "identical duplicates collapse", headers: []string{"session=a1; session=a1"}, want: []string{"a1"}, wantSawName: true},
		{name: "distinct values are all kept in order", headers: []string{"session=a2; session=a1"}, want: []string{"a2", "a1"}, wantSawName: true},
		{name: "several headers are combined", headers: []string{"a=1; session=a1", "b=2", "session=a2"},
			want: []string{"a1", "a2"}, wantSawName: true},
		{name: "a cookie in two headers counts once", headers: []string{"session=a1", "session=a1"},
			want: []string{"a1"}, wantSawName: true},
		{name: "eight distinct values are kept", headers: []string{strings.Join(nine("v")[:8], "; ")},
			want: []string{"v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8"}, wantSawName: true},
		{name: "nine distinct values are too many", headers: []string{strings.Join(nine("v"), "; ")},
			want: []string{"v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8"}, wantSawName: true, wantTooMany: true},
		{name: "nine across headers are too many", headers: []string{strings.Join(nine("v")[:5], "; "), strings.Join(nine("v")[5:], "; ")},
			want: []string{"v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8"}, wantSawName: true, wantTooMany: true},
		{name: "a duplicate ninth is not too many", headers: []string{strings.Join(append(nine("v")[:8], "session=v1"), "; ")},
			want: []string{"v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8"}, wantSawName: true},
		{name: "an invalid ninth is not too many", headers: []string{strings.Join(append(nine("v")[:8], "session=bad", "session=\"q\""), "; ")},
			want: []string{"v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8"}, wantSawName: true},
		{name: "semicolons alone", headers: []string{";;; ;\t;"}},
		{name: "nameless pair is skipped", headers: []string{"=a1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := scanCookies("session", tt.headers, valid)
			if got := r.candidates[:r.n]; !slices.Equal(got, tt.want) {
				t.Errorf("candidates = %q, want %q", got, tt.want)
			}
			if r.sawName != tt.wantSawName {
				t.Errorf("sawName = %v, want %v", r.sawName, tt.wantSawName)
			}
			if r.tooMany != tt.wantTooMany {
				t.Errorf("tooMany = %v, want %v", r.tooMany, tt.wantTooMany)
			}
		})
	}
}

func TestScanCookiesWithEmptyNameFindsNothing(t *testing.T) {
	r := scanCookies("", []string{"=a1; a2"}, nil)
	if r.n != 0 || r.sawName || r.tooMany {
		t.Errorf("scanCookies with an empty name = %+v, want nothing", r)
	}
}

func TestScanCookiesNilValidAcceptsSyntacticValues(t *testing.T) {
	r := scanCookies("s", []string{"s=a1"}, nil)
	if r.n != 1 || r.candidates[0] != "a1" {
		t.Errorf("scanCookies with nil valid = %+v, want one candidate a1", r)
	}
}

func TestScanCookiesAllocatesNothing(t *testing.T) {
	token := strings.Repeat("A", TokenLen)
	var b strings.Builder
	for i := range 200 {
		b.WriteString("tracker")
		b.WriteByte(byte('a' + i%26))
		b.WriteString("=xyz; __Host-session=\"quoted\"; __Host-session=bad value; __Host-session=tooShort; ")
	}
	header := b.String()
	tests := []struct {
		name    string
		headers []string
	}{
		{"unrelated and invalid cookies", []string{header, header}},
		{"with a valid session cookie", []string{header, "__Host-session=" + token}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			allocs := testing.AllocsPerRun(100, func() {
				_ = scanCookies("__Host-session", tt.headers, ValidToken)
			})
			if allocs != 0 {
				t.Errorf("scanCookies allocates %v times, want 0", allocs)
			}
		})
	}
}

func TestScanCookiesHugeHeadersComplete(t *testing.T) {
	const size = 1 << 20
	fill := func(unit string) string { return strings.Repeat(unit, size/len(unit)) }
	valid := func(v string) bool { return len(v) > 2 }
	tests := []struct {
		name   string
		header string
	}{
		{"many unrelated cookies", fill("other=value; ")},
		{"many invalid session cookies", fill("s=\"q\"; s=; s=a b; ")},
		{"many session cookies failing valid", fill("s=ab; ")},
		{"many identical session cookies", fill("s=abc; ")},
		{"one enormous session value", "s=" + fill("x")},
		{"one enormous name", fill("s") + "=abc"},
		{"only separators", fill(";")},
		{"only whitespace", fill(" \t")},
		{"only equals signs", fill("=")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := scanCookies("s", []string{tt.header}, valid)
			if r.n > maxCandidates {
				t.Errorf("n = %d, over %d", r.n, maxCandidates)
			}
		})
	}
}

func TestWriteHeaders(t *testing.T) {
	tests := []struct {
		name     string
		existing http.Header
		add      []Header
		want     http.Header
	}{
		{
			name:     "adds every Set-Cookie after existing ones",
			existing: http.Header{"Set-Cookie": {"other=1"}},
			add:      []Header{{"Set-Cookie", "a=1"}, {"set-cookie", "b=2"}},
			want:     http.Header{"Set-Cookie": {"other=1", "a=1", "b=2"}},
		},
		{
			name: "adds Vary when absent",
			add:  []Header{{"Vary", "Cookie"}},
			want: http.Header{"Vary": {"Cookie"}},
		},
		{
			name:     "keeps an existing Vary and adds Cookie",
			existing: http.Header{"Vary": {"Accept-Encoding"}},
			add:      []Header{{"Vary", "Cookie"}},
			want:     http.Header{"Vary": {"Accept-Encoding", "Cookie"}},
		},
		{
			name:     "does not repeat Cookie listed in another case",
			existing: http.Header{"Vary": {"cookie"}},
			add:      []Header{{"Vary", "Cookie"}},
			want:     http.Header{"Vary": {"cookie"}},
		},
		{
			name:     "does not repeat Cookie inside a list",
			existing: http.Header{"Vary": {"Origin", "Accept-Encoding ,  COOKIE"}},
			add:      []Header{{"Vary", "Cookie"}},
			want:     http.Header{"Vary": {"Origin", "Accept-Encoding ,  COOKIE"}},
		},
		{
			name:     "does not add to Vary *",
			existing: http.Header{"Vary": {"*"}},
			add:      []Header{{"Vary", "Cookie"}},
			want:     http.Header{"Vary": {"*"}},
		},
		{
			name:     "does not take a token containing Cookie for Cookie",
			existing: http.Header{"Vary": {"X-Cookie-Consent"}},
			add:      []Header{{"vary", "Cookie"}},
			want:     http.Header{"Vary": {"X-Cookie-Consent", "Cookie"}},
		},
		{
			name:     "replaces Cache-Control",
			existing: http.Header{"Cache-Control": {"public, max-age=3600", "immutable"}},
			add:      []Header{{"Cache-Control", "no-store"}},
			want:     http.Header{"Cache-Control": {"no-store"}},
		},
		{
			name:     "adds other headers",
			existing: http.Header{"X-Other": {"1"}},
			add:      []Header{{"X-Other", "2"}},
			want:     http.Header{"X-Other": {"1", "2"}},
		},
		{
			name:     "a full set of session headers",
			existing: http.Header{"Vary": {"Accept-Encoding"}, "Cache-Control": {"max-age=60"}},
			add: []Header{
				{"Set-Cookie", "a=1"}, {"Set-Cookie", "b=2"},
				{"Cache-Control", "no-store"}, {"Vary", "Cookie"},
			},
			want: http.Header{
				"Set-Cookie":    {"a=1", "b=2"},
				"Cache-Control": {"no-store"},
				"Vary":          {"Accept-Encoding", "Cookie"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for k, vs := range tt.existing {
				h[k] = slices.Clone(vs)
			}
			WriteHeaders(h, tt.add)
			if !cookieHeadersEqual(h, tt.want) {
				t.Errorf("WriteHeaders: headers = %v, want %v", h, tt.want)
			}
			// The same rules through plain functions, on a response kept
			// as an ordered list of lines with case-insensitive names, as
			// non-net/http stacks keep theirs.
			var lines lineHeaders
			for k, vs := range tt.existing {
				for _, v := range vs {
					lines.add(k, v)
				}
			}
			ApplyHeaders(tt.add, lines.values, lines.add, lines.set)
			if got := lines.httpHeader(); !cookieHeadersEqual(got, tt.want) {
				t.Errorf("ApplyHeaders: headers = %v, want %v", got, tt.want)
			}
		})
	}
}

// lineHeaders is a response's headers as an ordered list of lines.
type lineHeaders [][2]string

func (l *lineHeaders) values(name string) []string {
	var vs []string
	for _, kv := range *l {
		if strings.EqualFold(kv[0], name) {
			vs = append(vs, kv[1])
		}
	}
	return vs
}

func (l *lineHeaders) add(name, value string) { *l = append(*l, [2]string{name, value}) }

func (l *lineHeaders) set(name, value string) {
	*l = slices.DeleteFunc(*l, func(kv [2]string) bool { return strings.EqualFold(kv[0], name) })
	l.add(name, value)
}

func (l *lineHeaders) httpHeader() http.Header {
	h := http.Header{}
	for _, kv := range *l {
		h.Add(kv[0], kv[1])
	}
	return h
}

func TestWriteHeadersIgnoresNilHeader(t *testing.T) {
	WriteHeaders(nil, []Header{{"Set-Cookie", "a=1"}}) // must not panic
}

func TestApplyHeadersIgnoresNilFunctions(t *testing.T) {
	var l lineHeaders
	hs := []Header{{"Set-Cookie", "a=1"}, {"Cache-Control", "no-store"}, {"Vary", "Cookie"}}
	ApplyHeaders(hs, nil, l.add, l.set) // none must panic
	ApplyHeaders(hs, l.values, nil, l.set)
	ApplyHeaders(hs, l.values, l.add, nil)
	if len(l) != 0 {
		t.Errorf("applied %q with a nil function", l)
	}
}

func cookieHeadersEqual(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, vs := range a {
		if !slices.Equal(vs, b[k]) {
			return false
		}
	}
	return true
}

func mustCookieSpec(t *testing.T, c Cookie) cookieSpec {
	t.Helper()
	spec, err := newCookieSpec(c, cookieDay, TokenLen)
	if err != nil {
		t.Fatalf("newCookieSpec(%+v): %v", c, err)
	}
	return spec
}
