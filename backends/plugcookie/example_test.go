package plugcookie_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/plugcookie"
)

// A Go service reads the session a Phoenix app wrote: a phx.gen.auth
// login (a raw user token) and a CSRF token, with other keys kept.
func Example() {
	type Session struct {
		UserToken []byte            `plug:"user_token,omitempty"`
		CSRFToken string            `plug:"_csrf_token,omitempty"`
		Flash     map[string]string `plug:"phoenix_flash,omitempty"`
		Extra     plugcookie.Extra
	}
	store, err := plugcookie.New[Session]("_my_app_key", plugcookie.Options{
		SecretKeyBase: strings.Repeat("abcdef0123456789", 8), // the endpoint's secret_key_base
		SigningSalt:   "QI9bW8Qe",                            // @session_options' signing_salt
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := sessions.NewWithStore[Session](store, sessions.WithCookie(sessions.Cookie{Name: "_my_app_key"}))
	if err != nil {
		fmt.Println(err)
		return
	}
	// A cookie the real Plug wrote.
	cookie := "_my_app_key=" + phoenixLike
	found, err := m.OfHeader(context.Background(), cookie)
	if err != nil {
		fmt.Println(err)
		return
	}
	s, ok := found.Get()
	fmt.Println("logged in:", ok)
	fmt.Printf("user token: %d bytes, CSRF token %s, other keys %v\n",
		len(s.Value().UserToken), s.Value().CSRFToken, s.Value().Extra)

	// Leave a flash for Phoenix's next page; every key is written back.
	s, err = m.Update(context.Background(), s, func(v Session) (Session, error) {
		v.Flash = map[string]string{"info": "Saved in Go"}
		return v, nil
	})
	fmt.Println(err, strings.HasPrefix(s.Token(), "SFMyNTY."))
	// Output:
	// logged in: true
	// user token: 32 bytes, CSRF token vO9wCgusBPdfDvZEGgzWNGkq, other keys map[big:300 n:42]
	// <nil> true
}
