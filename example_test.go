package sessions_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/memory"
)

// Visit is an application's session value.
type Visit struct {
	User  string
	Count int
}

// newExampleManager returns a Manager over a fresh memory store.
func newExampleManager() (*sessions.Manager[Visit], func()) {
	store, err := memory.New[Visit]()
	if err != nil {
		log.Fatal(err)
	}
	m, err := sessions.New[Visit](store)
	if err != nil {
		log.Fatal(err)
	}
	return m, func() { store.Close() }
}

// A framework-agnostic request cycle: load the session named by the
// request's Cookie header (or an unsaved one), change it, and write the
// headers the Manager asks for.
func Example() {
	m, done := newExampleManager()
	defer done()

	handle := func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		s, err := m.OfHeaderOrCreate(ctx, Visit{}, r.Header.Values("Cookie")...)
		if err != nil {
			http.Error(w, "session store unavailable", http.StatusServiceUnavailable)
			return
		}
		s, err = m.Update(ctx, s, func(v Visit) (Visit, error) {
			v.Count++
			return v, nil
		})
		if err != nil {
			http.Error(w, "could not save the session", http.StatusInternalServerError)
			return
		}
		sessions.WriteHeaders(w.Header(), m.ToCookieHeaders(s))
		fmt.Fprintf(w, "visit %d", s.Value().Count)
	}

	var cookie string
	for range 3 {
		r := httptest.NewRequest("GET", "https://example.com/", nil)
		if cookie != "" {
			r.Header.Set("Cookie", cookie)
		}
		w := httptest.NewRecorder()
		handle(w, r)
		if c := w.Result().Cookies(); len(c) == 1 {
			cookie = c[0].Name + "=" + c[0].Value
		}
		fmt.Println(w.Body.String())
	}
	// Output:
	// visit 1
	// visit 2
	// visit 3
}

func ExampleManager_Generate() {
	m, done := newExampleManager()
	defer done()
	ctx := context.Background()

	s, err := m.Generate(ctx, Visit{User: "ann"}, sessions.WithOwner("user-42"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Value().User, s.Owner(), s.Modified(), len(s.Token()))
	// Output: ann user-42 true 43
}

func ExampleManager_OfKey() {
	m, done := newExampleManager()
	defer done()
	ctx := context.Background()

	s, _ := m.Generate(ctx, Visit{User: "ann"})
	loaded, err := m.OfKey(ctx, s.Token())
	fmt.Println(loaded.Value().User, loaded.Modified(), err)

	_, err = m.OfKey(ctx, "forged")
	fmt.Println(err)
	// Output:
	// ann false <nil>
	// sessions: not found
}

func ExampleManager_OfHeader() {
	m, done := newExampleManager()
	defer done()
	ctx := context.Background()

	s, _ := m.Generate(ctx, Visit{User: "ann"})
	found, err := m.OfHeader(ctx, "theme=dark; __Host-session="+s.Token())
	if err != nil {
		log.Fatal(err) // only a store failure gets here
	}
	if loaded, ok := found.Get(); ok {
		fmt.Println("found", loaded.Value().User)
	}

	found, _ = m.OfHeader(ctx, "theme=dark")
	fmt.Println("without a session cookie:", found.IsPresent())
	// Output:
	// found ann
	// without a session cookie: false
}

func ExampleManager_OfHeaderOrCreate() {
	m, done := newExampleManager()
	defer done()
	ctx := context.Background()

	// A request without a session gets an unsaved one: nothing is stored
	// and no cookie is sent until the first write.
	s, _ := m.OfHeaderOrCreate(ctx, Visit{User: "guest"})
	fmt.Println(s.IsNew(), s.Modified(), s.Token() == "", len(m.ToCookieHeaders(s)))

	s, _ = m.Set(ctx, s, Visit{User: "guest", Count: 1})
	fmt.Println(s.IsNew(), s.Modified(), s.Token() == "", len(m.ToCookieHeaders(s)))
	// Output:
	// true false true 1
	// false true false 3
}

func ExampleManager_Set() {
	m, done := newExampleManager()
	defer done()
	ctx := context.Background()

	s, _ := m.Generate(ctx, Visit{})
	s, err := m.Set(ctx, s, Visit{Count: 1})
	fmt.Println(s.Value().Count, s.Version(), err)

	// Another request changed the session since stale was read: Set
	// refuses to overwrite it.
	stale := s
	s, _ = m.Set(ctx, s, Visit{Count: 2})
	_, err = m.Set(ctx, stale, Visit{Count: 100})
	fmt.Println(err)
	// Output:
	// 1 2 <nil>
	// sessions: changed concurrently
}

// Renew moves a session to a new token, for example at login. Always
// reassign the returned session: the old value's token is dead.
func ExampleManager_Renew() {
	m, done := newExampleManager()
	defer done()
	ctx := context.Background()

	s, _ := m.Generate(ctx, Visit{User: "guest"})
	old := s.Token()

	s, err := m.Renew(ctx, s, sessions.WithOwner("user-42"))
	if err != nil {
		log.Fatal(err)
	}
	_, oldErr := m.OfKey(ctx, old)
	fmt.Println(s.Owner(), s.Token() != old, oldErr)
	// Output: user-42 true sessions: not found
}

func ExampleManager_Clear() {
	m, done := newExampleManager()
	defer done()
	ctx := context.Background()

	s, _ := m.Generate(ctx, Visit{User: "ann"})
	s, _ = m.Clear(ctx, s)
	for _, h := range m.ToCookieHeaders(s) {
		fmt.Printf("%s: %s\n", h.Name, h.Value)
	}
	// Output:
	// Set-Cookie: __Host-session=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; HttpOnly; SameSite=Lax
	// Cache-Control: no-store
	// Vary: Cookie
}

func ExampleManager_Sessions() {
	m, done := newExampleManager()
	defer done()
	ctx := context.Background()

	phone, _ := m.Generate(ctx, Visit{User: "phone"}, sessions.WithOwner("user-42"))
	m.Generate(ctx, Visit{User: "laptop"}, sessions.WithOwner("user-42"))

	list, _ := m.Sessions(ctx, "user-42")
	fmt.Println(len(list))

	// "Log out everywhere else", from the phone.
	n, _ := m.ClearOwner(ctx, "user-42", phone.ID())
	list, _ = m.Sessions(ctx, "user-42")
	fmt.Println(n, len(list), list[0].Record.Value.User)
	// Output:
	// 2
	// 1 1 phone
}

// The async view runs store calls concurrently; Collect waits for each.
func ExampleAsync() {
	m, done := newExampleManager()
	defer done()
	ctx := context.Background()

	a, _ := m.Generate(ctx, Visit{User: "ann"})
	b, _ := m.Generate(ctx, Visit{User: "bob"})

	futures := []interface {
		Collect() (sessions.Session[Visit], error)
	}{m.Async().OfKey(ctx, a.Token()), m.Async().OfKey(ctx, b.Token())}
	for _, f := range futures {
		s, err := f.Collect()
		fmt.Println(s.Value().User, err)
	}
	// Output:
	// ann <nil>
	// bob <nil>
}
