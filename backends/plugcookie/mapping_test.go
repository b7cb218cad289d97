package plugcookie_test

import (
	"errors"
	"math/big"
	"reflect"
	"testing"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/plugcookie"
	"github.com/typedsession/sessions/backends/plugcookie/etf"
)

type nested struct {
	X int `plug:"x"`
}

// everyType has a field of every kind the mapping supports.
type everyType struct {
	Int     int               `plug:"int"`
	Small   int8              `plug:"small"`
	Uint    uint16            `plug:"uint"`
	Float   float64           `plug:"float"`
	Bool    bool              `plug:"bool"`
	String  string            `json:"string"` // the json tag names it when there is no plug tag
	Bytes   []byte            `plug:"bytes"`
	Atom    etf.Atom          `plug:"atom"`
	Big     *big.Int          `plug:"big"`
	List    []string          `plug:"list"`
	Counts  map[string]int    `plug:"counts"`
	Tuple   etf.Tuple         `plug:"tuple"`
	Ptr     *string           `plug:"ptr"`
	Any     any               `plug:"any"`
	Nested  nested            `plug:"nested"`
	Named   plugcookie.Map    `plug:"named_map"` // a Map with a tag is an ordinary field
	Skipped string            `plug:"-"`
	Flash   map[string]string `plug:"phoenix_flash,omitempty"`
	Extra   plugcookie.Extra
}

func TestEveryFieldKindRoundTripsThroughTheSessionMap(t *testing.T) {
	f := newFixture[everyType](t, signedOptions())
	huge, _ := new(big.Int).SetString("123456789012345678901234567890", 10)
	ptr := "p"
	v := everyType{
		Int: -5, Small: -128, Uint: 65535, Float: 1.25, Bool: true, String: "s", Bytes: []byte{0, 255},
		Atom: "info", Big: huge, List: []string{"a"}, Counts: map[string]int{"a": 1},
		Tuple: etf.Tuple{"v", int64(1)}, Ptr: &ptr, Any: []any{int64(1), "x"}, Nested: nested{X: 3},
		Named: plugcookie.Map{"k": "v"}, Extra: plugcookie.Extra{"other": etf.Atom("kept")},
	}
	s, err := f.m.Generate(t.Context(), v)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.load(s.Token()).Value(); !reflect.DeepEqual(got, v) {
		t.Fatalf("read back %#v\nwant      %#v", got, v)
	}
	p := payload(t, s.Token())
	for key, want := range map[string]any{
		"string": "s", "atom": etf.Atom("info"), "tuple": etf.Tuple{"v", int64(1)}, "other": etf.Atom("kept"),
		"nested": map[string]any{"x": int64(3)}, "named_map": map[string]any{"k": "v"}, "bytes": "\x00\xff",
	} {
		if !reflect.DeepEqual(p[key], want) {
			t.Errorf("%s is %#v in the cookie, want %#v", key, p[key], want)
		}
	}
	if _, ok := p["phoenix_flash"]; ok {
		t.Error("an empty omitempty field was written")
	}
	if _, ok := p["Skipped"]; ok {
		t.Error("a field tagged \"-\" was written")
	}
}

func TestATermThatDoesNotFitTheFieldReadsAsAbsent(t *testing.T) {
	o := signedOptions()
	for name, session := range map[string]map[string]any{
		"a binary for an int":       {"int": "1"},
		"an int8 overflow":          {"small": int64(300)},
		"a negative uint":           {"uint": int64(-1)},
		"an atom for a string":      {"string": etf.Atom("s")},
		"a list for a map":          {"counts": []any{}},
		"an int inside a list":      {"list": []any{int64(1)}},
		"a big int for an int":      {"int": new(big.Int).Lsh(big.NewInt(1), 70)},
		"a map for a nested struct": {"nested": map[string]any{"x": "y"}},
	} {
		t.Run(name, func(t *testing.T) {
			data, err := etf.Encode(session)
			if err != nil {
				t.Fatal(err)
			}
			store, err := plugcookie.New[everyType](cookieName, o)
			if err != nil {
				t.Fatal(err)
			}
			_, err = store.Open(t.Context(), signedWith(t, o, data), t0)
			if !errors.Is(err, sessions.ErrDecode) {
				t.Fatalf("Open: %v, want ErrDecode", err)
			}
		})
	}
}

func TestMapKeepsItsTermsThroughJSON(t *testing.T) {
	m := plugcookie.Map{"n": int64(1), "b": "\xff", "a": etf.Atom("x"), "t": etf.Tuple{nil, true}}
	data, err := m.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var back plugcookie.Map
	if err := back.UnmarshalJSON(data); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(map[string]any(back), map[string]any(m)) {
		t.Fatalf("through JSON: %#v, want %#v", back, m)
	}
	c := m.Clone()
	c["n"] = int64(2)
	if m["n"] != int64(1) {
		t.Fatal("Clone shares the map")
	}
}

// TestTheManagersCopiesKeepTermTypes checks that the store copies values
// for the Manager: a map[string]any value keeps an integer an int64 (a
// JSON copy would make it float64) through Generate, Value and Update.
func TestTheManagersCopiesKeepTermTypes(t *testing.T) {
	f := newFixture[map[string]any](t, signedOptions())
	s, err := f.m.Generate(t.Context(), map[string]any{"user_id": int64(42), "roles": []any{int64(1), "x"}})
	if err != nil {
		t.Fatal(err)
	}
	s, err = f.m.Update(t.Context(), s, func(v map[string]any) (map[string]any, error) { return v, nil })
	if err != nil {
		t.Fatal(err)
	}
	got := f.load(s.Token()).Value()
	want := map[string]any{"user_id": int64(42), "roles": []any{int64(1), "x"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("read back %#v, want %#v", got, want)
	}
	if v := s.Value(); !reflect.DeepEqual(v, want) {
		t.Fatalf("Value() = %#v, want %#v", v, want)
	}
}
