package memory

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"github.com/typedsession/sessions"
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
type cloner[V any] interface{ Clone() V }

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
	if !holdsReferences(t) {
		return copier[V]{mode: copyAssign}, nil
	}
	if clone := cloneFunc[V](t); clone != nil {
		return copier[V]{mode: copyClone, clone: clone, box: boxFunc[V](t)}, nil
	}
	if !custom {
		if err := jsonRoundTrips(t, map[reflect.Type]bool{}); err != nil {
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

// timeType is time.Time, which holds a *time.Location but is a value
// type: a Location is never changed once made, so sharing one is safe.
var timeType = reflect.TypeFor[time.Time]()

// holdsReferences reports whether a value of type t can share mutable
// memory with a copy made by assignment. Strings are immutable, so sharing
// them is safe, and so is time.Time.
func holdsReferences(t reflect.Type) bool {
	if t == timeType {
		return false
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface,
		reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return true
	case reflect.Array:
		return t.Len() > 0 && holdsReferences(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if holdsReferences(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}

// cloneFunc returns a function calling V's Clone method, whether declared
// on V or on *V, or nil if V has none.
func cloneFunc[V any](t reflect.Type) func(V) V {
	want := reflect.TypeFor[cloner[V]]()
	switch {
	case t.Implements(want):
		// A nil pointer's Clone could dereference it; nil copies as nil.
		isPointer := t.Kind() == reflect.Pointer
		var zero V
		return func(v V) V {
			if isPointer && any(v) == any(zero) {
				return v
			}
			// Only a nil interface value lacks the method; nil copies as nil.
			if c, ok := any(v).(cloner[V]); ok {
				return c.Clone()
			}
			return v
		}
	case reflect.PointerTo(t).Implements(want):
		return func(v V) V {
			if c, ok := any(&v).(cloner[V]); ok {
				return c.Clone()
			}
			return v
		}
	}
	return nil
}

// boxFunc returns how to box a value of type t as a cloner, or nil for
// pointer types, whose nil values must not reach Clone.
func boxFunc[V any](t reflect.Type) func(V) cloner[V] {
	want := reflect.TypeFor[cloner[V]]()
	switch {
	case t.Kind() == reflect.Pointer || t.Kind() == reflect.Interface:
		return nil
	case t.Implements(want):
		return func(v V) cloner[V] { return any(v).(cloner[V]) }
	case reflect.PointerTo(t).Implements(want):
		return func(v V) cloner[V] {
			p := new(V)
			*p = v
			return any(p).(cloner[V])
		}
	}
	return nil
}

var (
	jsonMarshaler   = reflect.TypeFor[json.Marshaler]()
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textMarshaler   = reflect.TypeFor[encoding.TextMarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// jsonRoundTrips reports why a value of type t would not survive a trip
// through encoding/json unchanged, or nil if nothing visible in the type
// stops it. It refuses what JSON cannot encode or decode and what it
// silently drops (unexported and "-" fields), so a store never loses part
// of a value. Types with their own JSON or text methods are trusted.
// Empty interfaces pass; what they hold is checked by the codec at run
// time, and their dynamic types may change (numbers become float64).
func jsonRoundTrips(t reflect.Type, seen map[reflect.Type]bool) error {
	if seen[t] || t.Size() == 0 {
		return nil // visited (recursive types), or holds no data to lose
	}
	seen[t] = true
	if codesItself(t) {
		return nil
	}
	switch t.Kind() {
	case reflect.Chan, reflect.Func, reflect.UnsafePointer, reflect.Complex64, reflect.Complex128:
		return fmt.Errorf("JSON cannot encode a %v", t.Kind())
	case reflect.Interface:
		if t.NumMethod() > 0 {
			return fmt.Errorf("JSON cannot decode into the interface %v", t)
		}
	case reflect.Map:
		if !jsonMapKey(t.Key()) {
			return fmt.Errorf("JSON cannot use %v as an object key", t.Key())
		}
		return jsonRoundTrips(t.Elem(), seen)
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return jsonRoundTrips(t.Elem(), seen)
	case reflect.Struct:
		return jsonFieldsRoundTrip(t, seen)
	}
	return nil
}

// jsonFieldsRoundTrip applies jsonRoundTrips to the fields of struct t.
func jsonFieldsRoundTrip(t reflect.Type, seen map[reflect.Type]bool) error {
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Type.Size() == 0 {
			continue // no data to lose, e.g. a `_ [0]func()` marker
		}
		switch {
		case f.Tag.Get("json") == "-":
			return fmt.Errorf("JSON skips field %s (tagged \"-\")", f.Name)
		case f.Anonymous && !f.IsExported() && f.Type.Kind() != reflect.Struct:
			return fmt.Errorf("JSON cannot carry embedded field %s", f.Name)
		case !f.Anonymous && !f.IsExported():
			return fmt.Errorf("JSON skips unexported field %s", f.Name)
		}
		if err := jsonRoundTrips(f.Type, seen); err != nil {
			return fmt.Errorf("field %s: %w", f.Name, err)
		}
	}
	return nil
}

// codesItself reports whether t encodes and decodes itself, through JSON
// or text methods.
func codesItself(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	marshals := t.Implements(jsonMarshaler) || p.Implements(jsonMarshaler) ||
		t.Implements(textMarshaler) || p.Implements(textMarshaler)
	unmarshals := p.Implements(jsonUnmarshaler) || p.Implements(textUnmarshaler)
	return marshals && unmarshals
}

// jsonMapKey reports whether encoding/json can use t as an object key.
func jsonMapKey(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return true
	}
	return t.Implements(textMarshaler) && reflect.PointerTo(t).Implements(textUnmarshaler)
}
