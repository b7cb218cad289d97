package app

import "strings"

// maxUserAgent bounds how much of a User-Agent header deviceLabel reads.
const maxUserAgent = 512

// userAgentRule maps a marker in a User-Agent string to a name. Rules are
// tried in order, so markers that other browsers copy ("Chrome/" appears
// in Edge's string, "Safari/" in almost every one) come after the more
// specific ones.
type userAgentRule struct{ marker, name string }

func browserRules() []userAgentRule {
	return []userAgentRule{
		{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"SamsungBrowser/", "Samsung Internet"},
		{"HeadlessChrome/", "Headless Chrome"}, {"Chromium/", "Chromium"},
		{"Chrome/", "Chrome"}, {"CriOS/", "Chrome"}, {"Firefox/", "Firefox"}, {"FxiOS/", "Firefox"},
		{"Safari/", "Safari"}, {"curl/", "curl"}, {"Go-http-client/", "a Go program"},
	}
}

func systemRules() []userAgentRule {
	return []userAgentRule{
		{"Windows", "Windows"}, {"iPhone", "iOS"}, {"iPad", "iPadOS"}, {"Android", "Android"},
		{"CrOS", "ChromeOS"}, {"Macintosh", "macOS"}, {"Linux", "Linux"}, {"FreeBSD", "FreeBSD"},
	}
}

// deviceLabel names the browser and system a User-Agent header describes,
// such as "Firefox on Windows", for the devices page. It is a label for
// people, not a security decision: clients can send anything.
func deviceLabel(userAgent string) string {
	if len(userAgent) > maxUserAgent {
		userAgent = userAgent[:maxUserAgent]
	}
	browser, system := match(userAgent, browserRules()), match(userAgent, systemRules())
	switch {
	case browser == "" && system == "":
		return "Unknown device"
	case system == "":
		return browser
	case browser == "":
		return "A browser on " + system
	}
	return browser + " on " + system
}

func match(s string, rules []userAgentRule) string {
	for _, r := range rules {
		if strings.Contains(s, r.marker) {
			return r.name
		}
	}
	return ""
}
