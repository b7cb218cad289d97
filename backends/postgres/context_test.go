package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/typedsession/sessions"
)

func TestADoneContextIsRefusedBeforeTheArgumentsAndWithoutAStatement(t *testing.T) {
	tr := &tracer{}
	pool := newPool(t, withTracer(tr))
	store := newStore[cart](t, pool)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()

	id := sessions.ID{1}
	rec := sessions.Record[cart]{Value: cart{User: "ann"}, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour), Owner: "ann"}
	badOwner := rec
	badOwner.Owner = "a\x00b"
	farFuture := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	calls := []struct {
		name string
		call func() error
	}{
		{"Create", func() error { return store.Create(ctx, id, rec, t0) }},
		{"Create with an owner text cannot hold", func() error { return store.Create(ctx, id, badOwner, t0) }},
		{"Create at an instant out of range", func() error { return store.Create(ctx, id, rec, farFuture) }},
		{"Load", func() error { _, err := store.Load(ctx, id, t0); return err }},
		{"Load at an instant out of range", func() error { _, err := store.Load(ctx, id, farFuture); return err }},
		{"Replace", func() error { return store.Replace(ctx, id, 1, rec, t0) }},
		{"Replace with an owner text cannot hold", func() error { return store.Replace(ctx, id, 1, badOwner, t0) }},
		{"Touch", func() error { return store.Touch(ctx, id, t0.Add(time.Hour), t0) }},
		{"Touch to an instant out of range", func() error { return store.Touch(ctx, id, farFuture, t0) }},
		{"Delete", func() error { return store.Delete(ctx, id, 0) }},
		{"conditional Delete", func() error { return store.Delete(ctx, id, 1) }},
		{"ListOwner", func() error { _, err := store.ListOwner(ctx, "ann", t0, 10); return err }},
		{"ListOwner of no owner", func() error { _, err := store.ListOwner(ctx, "", t0, 10); return err }},
		{"ListOwner with no room", func() error { _, err := store.ListOwner(ctx, "ann", t0, 0); return err }},
		{"DeleteOwner", func() error { _, err := store.DeleteOwner(ctx, "ann", sessions.ID{}, t0); return err }},
		{"DeleteOwner of no owner", func() error { _, err := store.DeleteOwner(ctx, "", sessions.ID{}, t0); return err }},
		{"DeleteExpired", func() error { _, err := store.DeleteExpired(ctx, t0, 10); return err }},
		{"DeleteExpired with no room", func() error { _, err := store.DeleteExpired(ctx, t0, 0); return err }},
	}
	tr.record(true)
	for _, c := range calls {
		if err := c.call(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: %v, want context.Canceled", c.name, err)
		}
	}
	tr.record(false)
	for _, q := range tr.recorded() {
		t.Errorf("sent a statement on a done context:\n%s", q.SQL)
	}
}
