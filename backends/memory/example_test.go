package memory_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/memory"
)

func Example() {
	type cart struct{ Items []string }

	store, err := memory.New[cart](memory.WithMaxEntries(10_000))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()

	// The Manager normally supplies the ID (a hash of the token) and now.
	ctx := context.Background()
	id := sessions.ID{1, 2, 3}
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	rec := sessions.Record[cart]{
		Value:     cart{Items: []string{"tea"}},
		CreatedAt: now,
		ExpiresAt: now.Add(30 * time.Minute),
	}
	if err := store.Create(ctx, id, rec, now); err != nil {
		fmt.Println(err)
		return
	}
	rec.Value.Items[0] = "coffee" // the store kept its own copy

	got, err := store.Load(ctx, id, now.Add(time.Minute))
	fmt.Println(got.Value.Items, got.Version, err)

	_, err = store.Load(ctx, id, now.Add(time.Hour))
	fmt.Println(errors.Is(err, sessions.ErrNotFound))
	// Output:
	// [tea] 1 <nil>
	// true
}
