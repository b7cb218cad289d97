package app_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"

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
	client := srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	// Looking at a page stores no session and sets no cookie.
	resp, err := client.Get(srv.URL)
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	fmt.Println(resp.Status, len(resp.Cookies()))

	// The first action does.
	resp, err = client.PostForm(srv.URL+"/cart/add", url.Values{"product": {"tea"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	fmt.Println(resp.Status, resp.Cookies()[0].Name, resp.Cookies()[0].Secure)
	// Output:
	// 200 OK 0
	// 303 See Other __Host-session true
}
