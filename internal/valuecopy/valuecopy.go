// Package valuecopy decides, once per type, how to copy a value so that
// the copy shares no mutable memory with the original: assignment when
// the type holds no references, its Clone method when it has one, and a
// JSON round trip otherwise. The Manager copies the values it hands to
// update functions this way, and the memory store the values it keeps.
package valuecopy

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"time"
)

// Cloner is the method a value type may offer to copy itself deeply.
type Cloner[V any] interface{ Clone() V }

// For returns a function that copies values of type V deeply: nil when
// assignment already does (V holds no references), V's Clone method when
// it has one, else a JSON round trip. It returns an error for a V that
// JSON would not carry intact and that has no Clone method.
func For[V any]() (func(V) (V, error), error) {
	t := reflect.TypeFor[V]()
	if !HoldsReferences(t) {
		return nil, nil
	}
	if clone := CloneFunc[V](t); clone != nil {
		return func(v V) (V, error) { return clone(v), nil }, nil
	}
	if err := JSONRoundTrips(t); err != nil {
		return nil, fmt.Errorf("%v cannot be copied through JSON: %w; give it a Clone() %v method", t, err, t)
	}
	return jsonCopy[V], nil
}

// jsonCopy copies v through encoding/json.
func jsonCopy[V any](v V) (V, error) {
	var out V
	data, err := json.Marshal(v)
	if err != nil {
		return out, fmt.Errorf("copying value: %w", err)
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return out, fmt.Errorf("copying value: %w", err)
	}
	return out, nil
}

// timeType is time.Time, which holds a *time.Location but is a value
// type: a Location is never changed once made, so sharing one is safe.
var timeType = reflect.TypeFor[time.Time]()

// HoldsReferences reports whether a value of type t can share mutable
// memory with a copy made by assignment. Strings are immutable, so sharing
// them is safe, and so is time.Time.
func HoldsReferences(t reflect.Type) bool {
	if t == timeType {
		return false
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface,
		reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return true
	case reflect.Array:
		return t.Len() > 0 && HoldsReferences(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if HoldsReferences(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}

// CloneFunc returns a function calling V's Clone method, whether declared
// on V or on *V, or nil if V has none.
func CloneFunc[V any](t reflect.Type) func(V) V {
	want := reflect.TypeFor[Cloner[V]]()
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
			if c, ok := any(v).(Cloner[V]); ok {
				return c.Clone()
			}
			return v
		}
	case reflect.PointerTo(t).Implements(want):
		return func(v V) V {
			if c, ok := any(&v).(Cloner[V]); ok {
				return c.Clone()
			}
			return v
		}
	}
	return nil
}

// BoxFunc returns how to box a value of type t as a cloner, or nil for
// pointer types, whose nil values must not reach Clone.
func BoxFunc[V any](t reflect.Type) func(V) Cloner[V] {
	want := reflect.TypeFor[Cloner[V]]()
	switch {
	case t.Kind() == reflect.Pointer || t.Kind() == reflect.Interface:
		return nil
	case t.Implements(want):
		return func(v V) Cloner[V] { return any(v).(Cloner[V]) }
	case reflect.PointerTo(t).Implements(want):
		return func(v V) Cloner[V] {
			p := new(V)
			*p = v
			return any(p).(Cloner[V])
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

// JSONRoundTrips reports why a value of type t would not survive a trip
// through encoding/json unchanged, or nil if nothing visible in the type
// stops it.
func JSONRoundTrips(t reflect.Type) error { return jsonRoundTrips(t, map[reflect.Type]bool{}) }

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
