package app

import (
	"strings"
	"testing"
)

func TestDeviceLabelNamesBrowserAndSystem(t *testing.T) {
	for _, tc := range []struct{ ua, want string }{
		{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36", "Headless Chrome on Linux"},
		{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36", "Chrome on Linux"},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0", "Edge on Windows"},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox on Windows"},
		{"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15", "Safari on macOS"},
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0 Mobile/15E148 Safari/604.1", "Chrome on iOS"},
		{"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36", "Chrome on Android"},
		{"Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36", "Chrome on ChromeOS"},
		{"curl/8.5.0", "curl"},
		{"Go-http-client/2.0", "a Go program"},
		{"Mozilla/5.0 (X11; Linux x86_64)", "A browser on Linux"},
		{"", "Unknown device"},
		{"\x00<script>", "Unknown device"},
		// Markers past the bound are not read.
		{strings.Repeat("x", maxUserAgent) + "Firefox/128.0 (Windows)", "Unknown device"},
	} {
		if got := deviceLabel(tc.ua); got != tc.want {
			t.Errorf("deviceLabel(%.60q) = %q, want %q", tc.ua, got, tc.want)
		}
	}
}

func TestValidUserAcceptsOnlyPlainNames(t *testing.T) {
	for _, tc := range []struct {
		user string
		want bool
	}{
		{"ann", true}, {"Ann.Lee-2_x", true}, {strings.Repeat("a", maxUserLen), true},
		{"", false}, {strings.Repeat("a", maxUserLen+1), false}, {"ann lee", false},
		{"ann\x00", false}, {"änn", false}, {"<ann>", false},
	} {
		if got := validUser(tc.user); got != tc.want {
			t.Errorf("validUser(%q) = %v, want %v", tc.user, got, tc.want)
		}
	}
}
