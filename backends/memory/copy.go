package memory

import (
	"fmt"
	"reflect"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/internal/valuecopy"
)

// copyMode is how a store keeps values from aliasing its callers'.
type copyMode uint8

const (
	// copyAssign: V holds no references, so assignment is a deep copy.
	copyAssign copyMode = iota
	// copyClone: V has a Clone() V method.
	copyClone
	// copyCodec: the store keeps the encoded value and decodes a fresh one
	// on every read, so encoding happens once per write and decoding once
	// per read.
	copyCodec
)

// cloner is the method a value type may offer to copy itself deeply.
type cloner[V any] = valuecopy.Cloner[V]

// copier copies values on their way into and out of a store. It is
// decided once, in New, and never changes.
type copier[V any] struct {
	mode  copyMode
	clone func(V) V
	// box, when set, turns a value into the cloner the store keeps, so
	// reads call Clone on an interface boxed once at write time instead
	// of boxing the value (an allocation) on every read.
	box   func(V) cloner[V]
	codec sessions.Codec[V]
}

// newCopier picks the cheapest copy that cannot alias for V. codec is the
// codec to fall back on; custom says whether the caller chose it, in which
// case the store trusts it with any V.
func newCopier[V any](codec sessions.Codec[V], custom bool) (copier[V], error) {
	t := reflect.TypeFor[V]()
	if !valuecopy.HoldsReferences(t) {
		return copier[V]{mode: copyAssign}, nil
	}
	if clone := valuecopy.CloneFunc[V](t); clone != nil {
		return copier[V]{mode: copyClone, clone: clone, box: valuecopy.BoxFunc[V](t)}, nil
	}
	if !custom {
		if err := valuecopy.JSONRoundTrips(t); err != nil {
			return copier[V]{}, fmt.Errorf("memory: %v cannot be copied through JSON: %w; "+
				"give it a Clone() %v method or pass WithCodec", t, err, t)
		}
	}
	return copier[V]{mode: copyCodec, codec: codec}, nil
}

// in returns the entry to keep for rec: a copy the caller cannot reach.
func (c *copier[V]) in(rec sessions.Record[V]) (entry[V], error) {
	switch c.mode {
	case copyClone:
		rec.Value = c.clone(rec.Value)
		if c.box != nil {
			boxed := c.box(rec.Value)
			var zero V
			rec.Value = zero
			return entry[V]{rec: rec, boxed: boxed}, nil
		}
	case copyCodec:
		enc, err := c.codec.Marshal(rec.Value)
		if err != nil {
			return entry[V]{}, fmt.Errorf("memory: copying value in: %w", err)
		}
		var zero V
		rec.Value = zero
		return entry[V]{rec: rec, enc: enc}, nil
	}
	return entry[V]{rec: rec}, nil
}

// out returns the record e holds with a value the store cannot reach.
// Stored values are never mutated, only replaced, so it runs without the
// shard's lock.
func (c *copier[V]) out(e entry[V]) (sessions.Record[V], error) {
	switch c.mode {
	case copyClone:
		if e.boxed != nil {
			e.rec.Value = e.boxed.Clone()
		} else {
			e.rec.Value = c.clone(e.rec.Value)
		}
	case copyCodec:
		v, err := c.codec.Unmarshal(e.enc)
		if err != nil {
			return sessions.Record[V]{}, fmt.Errorf("memory: copying value out: %w", err)
		}
		e.rec.Value = v
	}
	return e.rec, nil
}
