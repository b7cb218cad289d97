// Package e2e tests the example app in a real browser: Chromium, headless,
// driven over the DevTools protocol by github.com/chromedp/chromedp. It is
// a module of its own so that chromedp never becomes a dependency of the
// library.
//
// The tests find Chromium through internal/testenv: they skip with a
// message when none is installed, and fail instead when
// SESSIONS_REQUIRE_SERVERS=1. Redis and PostgreSQL runs need REDIS_URL and
// DATABASE_URL the same way. Set SESSIONS_E2E_SCREENSHOTS to a directory
// to keep the screenshots of the devices page; by default they go to a
// temporary directory removed after the test.
//
//	cd e2e && go test -count=1 ./...
package e2e
