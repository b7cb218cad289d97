package redissessions

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/typedsession/sessions"
)

// Codec turns a session value into Node's d, a JSON object, and back.
// Unlike a [sessions.Codec] it writes no format byte: d is read by Node
// with JSON.parse. Whatever Marshal returns must be a JSON object whose
// values are strings, numbers, booleans or null (null deletes the key on
// a write); the store checks every write and refuses anything else with
// Node's message. Unmarshal gets the stored object, which may hold keys
// other applications wrote, and must return an error for data it cannot
// decode.
type Codec[V any] interface {
	Marshal(v V) ([]byte, error)
	Unmarshal(d []byte) (V, error)
}

// DefaultMaxValueBytes bounds a stored d, read or written.
const DefaultMaxValueBytes = 64 << 10

// JSON returns the default codec: encoding/json, so a struct's fields
// (by their json tags) are d's keys. Fields must be strings, numbers,
// booleans, or pointers to them; a nil pointer without omitempty encodes
// as null and so deletes its key on a write, and a field with omitempty
// that is empty leaves the stored key as it is (Node's merge). New
// refuses a V with fields of other kinds.
func JSON[V any]() Codec[V] { return jsonCodec[V]{} }

type jsonCodec[V any] struct{}

func (jsonCodec[V]) Marshal(v V) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func (jsonCodec[V]) Unmarshal(d []byte) (V, error) {
	var v V
	err := json.Unmarshal(d, &v)
	return v, err
}

// flatObject is a d: keys and their JSON values.
type flatObject map[string]json.RawMessage

// flatten checks that data, a codec's output, is an object of scalars.
// A null object is reported as nil with no error (no d).
func flatten(data []byte, maxBytes int) (flatObject, error) {
	data = bytes.TrimSpace(data)
	if len(data) > maxBytes {
		return nil, fmt.Errorf("%w: d is %d bytes, limit %d", sessions.ErrValueTooLarge, len(data), maxBytes)
	}
	if string(data) == "null" {
		return nil, nil
	}
	if len(data) == 0 || data[0] != '{' {
		return nil, badValue("d", "d must be an object")
	}
	var obj flatObject
	if err := json.Unmarshal(data, &obj); err != nil {
		return nil, fmt.Errorf("redissessions: the codec wrote invalid JSON: %w", err)
	}
	// Sorted, so the error names the same key every time.
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !scalar(obj[k]) {
			return nil, forbiddenType(k)
		}
	}
	return obj, nil
}

func forbiddenType(key string) error {
	return badValue("d", "d."+key+" has a forbidden type. Only strings, numbers, boolean and null are allowed.")
}

// scalar reports whether a JSON value is a string, number, boolean or
// null.
func scalar(v json.RawMessage) bool {
	v = bytes.TrimSpace(v)
	return len(v) > 0 && v[0] != '{' && v[0] != '['
}

func isNull(v json.RawMessage) bool { return string(bytes.TrimSpace(v)) == "null" }

// merge applies Node's set to the stored d: keys set to null are removed,
// the others written, keys not mentioned kept. It returns the new d, or
// "" when no key is left.
func merge(stored string, update flatObject) (string, error) {
	obj := flatObject{}
	if stored != "" {
		if err := json.Unmarshal([]byte(stored), &obj); err != nil || obj == nil {
			return "", fmt.Errorf("%w: stored d is not a JSON object", sessions.ErrDecode)
		}
	}
	for k, v := range update {
		if isNull(v) {
			delete(obj, k)
		} else {
			obj[k] = v
		}
	}
	return encodeObject(obj)
}

// encodeObject returns obj as JSON, or "" if it is empty.
func encodeObject(obj flatObject) (string, error) {
	if len(obj) == 0 {
		return "", nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(obj); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

// withoutNulls returns update minus its null keys: what create stores.
func withoutNulls(update flatObject) flatObject {
	out := make(flatObject, len(update))
	for k, v := range update {
		if !isNull(v) {
			out[k] = v
		}
	}
	return out
}

var (
	jsonMarshaler = reflect.TypeFor[json.Marshaler]()
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
)

// checkFlatType reports, for the default codec, whether encoding/json
// writes values of t as an object of scalars. Types with their own
// marshalling are accepted here and checked on every write.
func checkFlatType(t reflect.Type) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Implements(jsonMarshaler) || reflect.PointerTo(t).Implements(jsonMarshaler) {
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		return checkFields(t, t.String())
	case reflect.Map:
		if t.Key().Kind() != reflect.String && !t.Key().Implements(textMarshaler) {
			return fmt.Errorf("value type %v cannot be stored as Node's d: %w", t, badValue("d", "d must be an object"))
		}
		if !scalarType(t.Elem()) {
			return fmt.Errorf("value type %v cannot be stored as Node's d: %w", t, forbiddenType("*"))
		}
		return nil
	}
	return fmt.Errorf("value type %v cannot be stored as Node's d: %w", t, badValue("d", "d must be an object"))
}

// checkFields checks the fields encoding/json writes for struct t,
// including those of embedded structs, which it flattens into t.
func checkFields(t reflect.Type, name string) error {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		key, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && key == "" && ft.Kind() == reflect.Struct {
			if err := checkFields(ft, name); err != nil {
				return err
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if key == "" {
			key = f.Name
		}
		if !scalarType(f.Type) {
			return fmt.Errorf("value type %s cannot be stored as Node's d: field %s is a %v: %w", name, f.Name, f.Type, forbiddenType(key))
		}
	}
	return nil
}

// scalarType reports whether encoding/json writes t as a string, number,
// boolean or null, or t marshals itself (checked on write).
func scalarType(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Implements(jsonMarshaler) || reflect.PointerTo(t).Implements(jsonMarshaler) ||
		t.Implements(textMarshaler) || reflect.PointerTo(t).Implements(textMarshaler) {
		return true
	}
	switch t.Kind() {
	case reflect.Bool, reflect.String, reflect.Interface,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}
