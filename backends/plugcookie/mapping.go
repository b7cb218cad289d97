package plugcookie

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"strings"

	"github.com/typedsession/sessions/backends/plugcookie/etf"
)

// Map is a session map: string keys, [etf] terms as values (see the
// package documentation for the Go types of terms). Use it as the value
// type for an untyped view of the whole session, or, under its other name
// [Extra], as a field of a struct value type.
//
// Map copies and JSON-encodes its terms exactly (JSON carries them as
// base64 of their external term format), so the Manager's copies of
// values, and stores other than this one, keep integers integers and
// binaries binaries.
type Map map[string]any

// Extra holds the keys of a session map that no field of a struct value
// type names. Give the struct one field of type Extra and the keys a
// Phoenix app stored that Go does not know about survive Go's writes;
// without one, New refuses the type, so that no write silently drops
// them.
type Extra = Map

// Clone returns a deep copy of m.
func (m Map) Clone() Map {
	if m == nil {
		return nil
	}
	return cloneTerm(map[string]any(m)).(map[string]any)
}

// cloneTerm returns a copy of t that shares no mutable memory with it.
func cloneTerm(t any) any {
	switch t := t.(type) {
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = cloneTerm(x)
		}
		return out
	case etf.Tuple:
		return etf.Tuple(cloneTerm([]any(t)).([]any))
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = cloneTerm(x)
		}
		return out
	case Map:
		return t.Clone()
	case etf.Map:
		out := make(etf.Map, len(t))
		for i, p := range t {
			out[i] = etf.Pair{Key: cloneTerm(p.Key), Value: cloneTerm(p.Value)}
		}
		return out
	case *big.Int:
		if t != nil {
			return new(big.Int).Set(t)
		}
	case []byte:
		return bytes.Clone(t)
	}
	return t
}

// MarshalJSON encodes m as a JSON string: base64 of its external term
// format, so that every term survives the trip.
func (m Map) MarshalJSON() ([]byte, error) {
	if m == nil {
		return []byte("null"), nil
	}
	b, err := etf.Encode(map[string]any(m))
	if err != nil {
		return nil, err
	}
	return json.Marshal(base64.StdEncoding.EncodeToString(b))
}

// UnmarshalJSON decodes what MarshalJSON wrote.
func (m *Map) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		*m = nil
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return err
	}
	t, err := etf.Decode(b)
	if err != nil {
		return err
	}
	mm, ok := t.(map[string]any)
	if !ok {
		return errMapping
	}
	*m = mm
	return nil
}

var (
	extraType  = reflect.TypeFor[Extra]()
	bigIntType = reflect.TypeFor[*big.Int]()
	atomType   = reflect.TypeFor[etf.Atom]()
)

// errMapping reports a session map that does not fit the value type.
var errMapping = errors.New("plugcookie: session does not fit the value type")

// checkValueType reports whether t can hold a session: a struct with an
// Extra field, or a map with string keys.
func checkValueType(t reflect.Type) error {
	switch {
	case t == extraType:
		return nil
	case t.Kind() == reflect.Map && t.Key().Kind() == reflect.String:
		return nil
	case t.Kind() != reflect.Struct:
		return fmt.Errorf("plugcookie: the value type %v is neither a struct nor a map with string keys", t)
	}
	if _, extra := fieldsOf(t); extra >= 0 {
		return nil
	}
	return fmt.Errorf("plugcookie: the value type %v has no field of type plugcookie.Extra, so writes would drop keys the Phoenix app stored", t)
}

// field is one struct field and the session key it maps to.
type field struct {
	index     int
	key       string
	omitEmpty bool
}

// fieldsOf lists t's mapped fields: exported, not tagged "-", named by
// their `plug` tag, else their `json` tag, else the field name. The first
// field of type Extra without a `plug` tag is the Extra field, whose
// index is returned apart (-1 if none).
func fieldsOf(t reflect.Type) (fields []field, extra int) {
	extra = -1
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag, ok := f.Tag.Lookup("plug")
		if f.Type == extraType && !ok && extra < 0 {
			extra = i
			continue
		}
		if !ok {
			tag = f.Tag.Get("json")
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" && opts == "" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields = append(fields, field{index: i, key: name, omitEmpty: strings.Contains(","+opts+",", ",omitempty,")})
	}
	return fields, extra
}

// toTerm converts a Go value to a term; depth bounds self-reference.
func toTerm(v reflect.Value, depth int) (any, error) {
	if depth > maxPayloadDepth {
		return nil, fmt.Errorf("%w: nested deeper than %d", etf.ErrLimit, maxPayloadDepth)
	}
	if v.Type() == bigIntType {
		if v.IsNil() {
			return nil, nil
		}
		return v.Interface(), nil
	}
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			return nil, nil
		}
		return toTerm(v.Elem(), depth+1)
	case reflect.Bool:
		return v.Bool(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int(), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint(), nil
	case reflect.Float32, reflect.Float64:
		return v.Float(), nil
	case reflect.String:
		if v.Type() == atomType {
			return etf.Atom(v.String()), nil
		}
		return v.String(), nil
	case reflect.Slice:
		if v.IsNil() {
			return nil, nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return string(v.Bytes()), nil
		}
		return sliceTerm(v, depth)
	case reflect.Array:
		return sliceTerm(v, depth)
	case reflect.Map:
		if v.IsNil() {
			return nil, nil
		}
		return mapTerm(v, depth)
	case reflect.Struct:
		return structTerm(v, depth)
	}
	return nil, fmt.Errorf("plugcookie: no term for a %v", v.Type())
}

func sliceTerm(v reflect.Value, depth int) (any, error) {
	if t, ok := v.Interface().(etf.Tuple); ok {
		return t, nil
	}
	if m, ok := v.Interface().(etf.Map); ok {
		return m, nil
	}
	out := make([]any, v.Len())
	for i := range out {
		var err error
		if out[i], err = toTerm(v.Index(i), depth+1); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func mapTerm(v reflect.Value, depth int) (any, error) {
	if v.Type().Key().Kind() != reflect.String {
		return nil, fmt.Errorf("plugcookie: map keys must be strings, not %v", v.Type().Key())
	}
	out := make(map[string]any, v.Len())
	for it := v.MapRange(); it.Next(); {
		t, err := toTerm(it.Value(), depth+1)
		if err != nil {
			return nil, err
		}
		out[it.Key().String()] = t
	}
	return out, nil
}

func structTerm(v reflect.Value, depth int) (map[string]any, error) {
	fields, extra := fieldsOf(v.Type())
	out := make(map[string]any, len(fields))
	if extra >= 0 {
		for k, x := range v.Field(extra).Interface().(Extra) {
			out[k] = x
		}
	}
	for _, f := range fields {
		fv := v.Field(f.index)
		if f.omitEmpty && fv.IsZero() {
			continue
		}
		t, err := toTerm(fv, depth+1)
		if err != nil {
			return nil, fmt.Errorf("plugcookie: field for %q: %w", f.key, err)
		}
		out[f.key] = t
	}
	return out, nil
}

// fromTerm stores term in v, which is settable. The atom nil (Go nil)
// gives the zero value; any other mismatch is errMapping.
func fromTerm(term any, v reflect.Value, depth int) error {
	if depth > maxPayloadDepth {
		return errMapping
	}
	if term == nil {
		v.SetZero()
		return nil
	}
	if v.Type() == bigIntType {
		switch t := term.(type) {
		case int64:
			v.Set(reflect.ValueOf(big.NewInt(t)))
			return nil
		case *big.Int:
			v.Set(reflect.ValueOf(new(big.Int).Set(t)))
			return nil
		}
		return mismatch(term, v)
	}
	switch v.Kind() {
	case reflect.Interface:
		tv := reflect.ValueOf(term)
		if !tv.Type().AssignableTo(v.Type()) {
			return mismatch(term, v)
		}
		v.Set(tv)
		return nil
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		if err := fromTerm(term, p.Elem(), depth+1); err != nil {
			return err
		}
		v.Set(p)
		return nil
	case reflect.Bool:
		b, ok := term.(bool)
		if !ok {
			return mismatch(term, v)
		}
		v.SetBool(b)
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := term.(int64)
		if !ok || v.OverflowInt(n) {
			return mismatch(term, v)
		}
		v.SetInt(n)
		return nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, ok := term.(int64)
		if !ok || n < 0 || v.OverflowUint(uint64(n)) {
			if x, isBig := term.(*big.Int); isBig && x.IsUint64() && !v.OverflowUint(x.Uint64()) {
				v.SetUint(x.Uint64())
				return nil
			}
			return mismatch(term, v)
		}
		v.SetUint(uint64(n))
		return nil
	case reflect.Float32, reflect.Float64:
		switch t := term.(type) {
		case float64:
			v.SetFloat(t)
		case int64:
			v.SetFloat(float64(t))
		default:
			return mismatch(term, v)
		}
		return nil
	case reflect.String:
		return stringFromTerm(term, v)
	case reflect.Slice:
		return sliceFromTerm(term, v, depth)
	case reflect.Map:
		m, ok := term.(map[string]any)
		if !ok || v.Type().Key().Kind() != reflect.String {
			return mismatch(term, v)
		}
		out := reflect.MakeMapWithSize(v.Type(), len(m))
		for k, x := range m {
			e := reflect.New(v.Type().Elem()).Elem()
			if err := fromTerm(x, e, depth+1); err != nil {
				return err
			}
			out.SetMapIndex(reflect.ValueOf(k).Convert(v.Type().Key()), e)
		}
		v.Set(out)
		return nil
	case reflect.Struct:
		m, ok := term.(map[string]any)
		if !ok {
			return mismatch(term, v)
		}
		return structFromMap(m, v, depth)
	}
	return mismatch(term, v)
}

func stringFromTerm(term any, v reflect.Value) error {
	if v.Type() == atomType {
		a, ok := term.(etf.Atom)
		if !ok {
			return mismatch(term, v)
		}
		v.SetString(string(a))
		return nil
	}
	s, ok := term.(string)
	if !ok {
		return mismatch(term, v)
	}
	v.SetString(s)
	return nil
}

func sliceFromTerm(term any, v reflect.Value, depth int) error {
	switch {
	case v.Type() == reflect.TypeFor[etf.Tuple]():
		t, ok := term.(etf.Tuple)
		if !ok {
			return mismatch(term, v)
		}
		v.Set(reflect.ValueOf(t))
		return nil
	case v.Type() == reflect.TypeFor[etf.Map]():
		m, ok := term.(etf.Map)
		if !ok {
			return mismatch(term, v)
		}
		v.Set(reflect.ValueOf(m))
		return nil
	case v.Type().Elem().Kind() == reflect.Uint8:
		s, ok := term.(string)
		if !ok {
			return mismatch(term, v)
		}
		v.SetBytes([]byte(s))
		return nil
	}
	l, ok := term.([]any)
	if !ok {
		return mismatch(term, v)
	}
	out := reflect.MakeSlice(v.Type(), len(l), len(l))
	for i, x := range l {
		if err := fromTerm(x, out.Index(i), depth+1); err != nil {
			return err
		}
	}
	v.Set(out)
	return nil
}

// structFromMap fills the struct v from m: named keys into their fields,
// the rest into the Extra field, if any.
func structFromMap(m map[string]any, v reflect.Value, depth int) error {
	fields, extra := fieldsOf(v.Type())
	known := make(map[string]bool, len(fields))
	for _, f := range fields {
		known[f.key] = true
		if err := fromTerm(m[f.key], v.Field(f.index), depth+1); err != nil {
			return fmt.Errorf("%w: key %q", err, f.key)
		}
	}
	if extra < 0 {
		return nil
	}
	var rest Extra
	for k, x := range m {
		if !known[k] {
			if rest == nil {
				rest = Extra{}
			}
			rest[k] = x
		}
	}
	v.Field(extra).Set(reflect.ValueOf(rest))
	return nil
}

func mismatch(term any, v reflect.Value) error {
	return fmt.Errorf("%w: a %T cannot be a %v", errMapping, term, v.Type())
}
