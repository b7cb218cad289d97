package app_test

import (
	"fmt"
	"net/http/httptest"

	"github.com/typedsession/sessions/examples/webapp/app"
)

// The zero Config keeps sessions in memory behind the secure default
// cookie; the second result releases the store after the server stops.
func ExampleNew() {
	handler, closeStore, err := app.New(app.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer closeStore()

	srv := httptest.NewTLSServer(handler)
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	fmt.Println(resp.Status, resp.Cookies()[0].Name, resp.Cookies()[0].Secure)
	// Output: 200 OK __Host-session true
}
