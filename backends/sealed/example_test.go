package sealed_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/memory"
	"github.com/typedsession/sessions/backends/sealed"
)

// exampleSecret stands in for at least 32 random bytes read from the
// environment or a secret manager; never commit a real one.
var exampleSecret = []byte("example only: 32+ random bytes, from a vault")

func Example() {
	type cart struct{ Items []string }

	ring, err := sealed.NewKeyRing(exampleSecret)
	if err != nil {
		fmt.Println(err)
		return
	}
	store, err := sealed.New[cart](ring)
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := sessions.NewWithStore[cart](store)
	if err != nil {
		fmt.Println(err)
		return
	}

	ctx := context.Background()
	s, err := m.Generate(ctx, cart{Items: []string{"tea"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	// The token is the whole record, sealed; a later request sends it back.
	found, err := m.OfHeader(ctx, "theme=dark; __Host-session="+s.Token())
	fmt.Println(found.MustGet().Value().Items, err)

	// A cookie altered by one character opens nothing.
	forged := s.Token()[:40] + "x" + s.Token()[41:]
	if forged == s.Token() {
		forged = s.Token()[:40] + "y" + s.Token()[41:]
	}
	_, err = m.OfKey(ctx, forged)
	fmt.Println(errors.Is(err, sessions.ErrNotFound))
	// Output:
	// [tea] <nil>
	// true
}

func ExampleWithRevocation() {
	revoked, err := memory.New[sealed.Revocation]()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer revoked.Close()

	ring, err := sealed.NewKeyRing(exampleSecret)
	if err != nil {
		fmt.Println(err)
		return
	}
	store, err := sealed.New[string](ring, sealed.WithRevocation(revoked, sessions.DefaultLifetime))
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := sessions.NewWithStore[string](store)
	if err != nil {
		fmt.Println(err)
		return
	}

	ctx := context.Background()
	s, _ := m.Generate(ctx, "signed in")
	stolen := s.Token()
	if _, err := m.Clear(ctx, s); err != nil {
		fmt.Println(err)
		return
	}
	// Without revocation the copy would open until its deadline.
	_, err = m.OfKey(ctx, stolen)
	fmt.Println(errors.Is(err, sessions.ErrNotFound))
	// Output:
	// true
}

func ExampleNewKeyRing_rotation() {
	oldSecret := exampleSecret
	newSecret := []byte("another 32+ random bytes, also from a vault")

	// Step 3 of the rotation: the new key seals, the old one still opens.
	ring, err := sealed.NewKeyRing(newSecret, oldSecret)
	fmt.Println(ring.Len(), err)

	// A placeholder is refused.
	_, err = sealed.NewKeyRing([]byte("changemechangemechangemechangeme"))
	fmt.Println(errors.Is(err, sealed.ErrWeakSecret))
	// Output:
	// 2 <nil>
	// true
}
