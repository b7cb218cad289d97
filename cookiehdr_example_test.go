package sessions_test

import (
	"fmt"
	"net/http"
	"strings"

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

// A stack outside net/http applies the same headers through three
// functions on its own response type; here a map with lower-case names.
func ExampleApplyHeaders() {
	resp := map[string][]string{"vary": {"Accept-Encoding"}}
	values := func(name string) []string { return resp[strings.ToLower(name)] }
	add := func(name, value string) { resp[strings.ToLower(name)] = append(resp[strings.ToLower(name)], value) }
	set := func(name, value string) { resp[strings.ToLower(name)] = []string{value} }

	sessions.ApplyHeaders([]sessions.Header{
		{Name: "Set-Cookie", Value: "__Host-session=abc; Path=/; Secure; HttpOnly; SameSite=Lax"},
		{Name: "Cache-Control", Value: "no-store"},
		{Name: "Vary", Value: "Cookie"},
	}, values, add, set)

	fmt.Println(resp["vary"])
	fmt.Println(resp["cache-control"])
	// Output:
	// [Accept-Encoding Cookie]
	// [no-store]
}
