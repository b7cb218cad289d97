package sessions

import (
	"slices"
	"strings"
	"testing"
)

// FuzzScanCookie checks scanCookies against a deliberately naive model of the
// scanning rules and against the invariants the Manager relies on: no panic, at
// most maxCandidates distinct values, each a substring of the input made of
// cookie-octets. Newlines in header split it into several header values.
func FuzzScanCookie(f *testing.F) {
	const tok = "AcI9s-iOcQyEI6ruWMV30cSe4UOW_Yk5r08q9g6UAr0"
	f.Add("__Host-session="+tok, "__Host-session", true)
	f.Add("a=1; session=x; session=x; session=y\nsession=z", "session", false)
	f.Add(" \tsession=v1\t;session=\"q\";session=;session;=v", "session", false)
	f.Add("s=1;s=2;s=3;s=4;s=5;s=6;s=7;s=8;s=9", "s", false)
	f.Add("Session=a; session =b; session= c", "session", false)
	f.Fuzz(func(t *testing.T, header, name string, tokens bool) {
		valid := func(string) bool { return true }
		if tokens {
			valid = ValidToken
		}
		headers := strings.Split(header, "\n")
		r := scanCookies(name, headers, valid)

		if r.n < 0 || r.n > maxCandidates {
			t.Fatalf("n = %d, outside [0, %d]", r.n, maxCandidates)
		}
		got := r.candidates[:r.n]
		for i, v := range got {
			if v == "" || !strings.Contains(header, v) || !modelCookieOctets(v) {
				t.Fatalf("candidate %q is empty, not in the input, or not cookie-octets", v)
			}
			if slices.Contains(got[:i], v) {
				t.Fatalf("candidate %q appears twice in %q", v, got)
			}
		}
		want, sawName, tooMany := modelScan(name, headers, valid)
		if !slices.Equal(got, want) || r.sawName != sawName || r.tooMany != tooMany {
			t.Fatalf("scanCookies(%q, %q) = %q sawName=%v tooMany=%v; model says %q %v %v",
				name, headers, got, r.sawName, r.tooMany, want, sawName, tooMany)
		}
	})
}

// modelScan is the scanning rule written as plainly as possible, allocation
// and all.
func modelScan(name string, headers []string, valid func(string) bool) (vals []string, sawName, tooMany bool) {
	if name == "" {
		return nil, false, false
	}
	for _, h := range headers {
		for _, pair := range strings.Split(h, ";") {
			k, v, ok := strings.Cut(strings.Trim(pair, " \t"), "=")
			if !ok || k != name {
				continue
			}
			sawName = true
			if v == "" || !modelCookieOctets(v) || !valid(v) || slices.Contains(vals, v) {
				continue
			}
			if len(vals) == maxCandidates {
				return vals, sawName, true
			}
			vals = append(vals, v)
		}
	}
	return vals, sawName, false
}

// modelCookieOctets restates cookie-octet as "visible ASCII except
// DQUOTE, comma, semicolon and backslash".
func modelCookieOctets(s string) bool {
	for _, c := range []byte(s) {
		if c <= ' ' || c >= 0x7f || strings.IndexByte("\",;\\", c) >= 0 {
			return false
		}
	}
	return true
}
