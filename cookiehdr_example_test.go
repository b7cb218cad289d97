package sessions_test

import (
	"fmt"
	"net/http"

	"github.com/typedsession/sessions"
)

// A handler's own Vary survives, and the session's Cache-Control replaces
// a cacheable one: a response carrying a session cookie must not be shared.
func ExampleWriteHeaders() {
	h := http.Header{}
	h.Set("Vary", "Accept-Encoding")
	h.Set("Cache-Control", "public, max-age=60")

	sessions.WriteHeaders(h, []sessions.Header{
		{Name: "Set-Cookie", Value: "__Host-session=abc; Path=/; Secure; HttpOnly; SameSite=Lax"},
		{Name: "Cache-Control", Value: "no-store"},
		{Name: "Vary", Value: "Cookie"},
	})

	fmt.Println(h.Values("Vary"))
	fmt.Println(h.Get("Cache-Control"))
	fmt.Println(h.Get("Set-Cookie"))
	// Output:
	// [Accept-Encoding Cookie]
	// no-store
	// __Host-session=abc; Path=/; Secure; HttpOnly; SameSite=Lax
}
