package sessions

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// codecTestValue holds a slice and a map, like real session values.
type codecTestValue struct {
	User  string            `json:"user"`
	Roles []string          `json:"roles"`
	Prefs map[string]string `json:"prefs"`
	Count int               `json:"count"`
}

// codecNested nests one object per level.
type codecNested struct {
	N *codecNested `json:"n"`
}

// nestedValue returns a chain of depth objects.
func nestedValue(depth int) *codecNested {
	var n *codecNested
	for range depth {
		n = &codecNested{N: n}
	}
	return n
}

// nestedArrays returns codec data holding depth nested JSON arrays.
func nestedArrays(depth int) []byte {
	return []byte("j" + strings.Repeat("[", depth) + strings.Repeat("]", depth))
}

func TestJSONRoundTripsSlicesAndMaps(t *testing.T) {
	c := JSON[codecTestValue]()
	in := codecTestValue{
		User:  "ada",
		Roles: []string{"admin", "dev"},
		Prefs: map[string]string{"theme": "dark", "lang": "en"},
		Count: 7,
	}
	data, err := c.Marshal(in)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	if len(data) == 0 || data[0] != 'j' {
		t.Fatalf("Marshal output %q does not start with the format byte 'j'", data)
	}
	if bytes.HasSuffix(data, []byte("\n")) {
		t.Errorf("Marshal output %q ends with a newline", data)
	}
	out, err := c.Unmarshal(data)
	if err != nil {
		t.Fatalf("Unmarshal(%q): %v", data, err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Errorf("round trip = %+v, want %+v", out, in)
	}
}

func TestJSONRoundTripsZeroValue(t *testing.T) {
	c := JSON[codecTestValue]()
	data, err := c.Marshal(codecTestValue{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.Unmarshal(data)
	if err != nil || !reflect.DeepEqual(out, codecTestValue{}) {
		t.Errorf("Unmarshal(%q) = %+v, %v; want the zero value", data, out, err)
	}
}

func TestJSONUnmarshalDoesNotAliasItsInput(t *testing.T) {
	c := JSON[codecTestValue]()
	data, err := c.Marshal(codecTestValue{User: "ada", Roles: []string{"admin"}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	for i := range data {
		data[i] = 'x'
	}
	if out.User != "ada" || out.Roles[0] != "admin" {
		t.Errorf("decoded value changed with its input: %+v", out)
	}
}

func TestJSONUnmarshalRequiresTheFormatByte(t *testing.T) {
	c := JSON[codecTestValue]()
	good, err := c.Marshal(codecTestValue{User: "ada"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"nil", nil},
		{"empty", []byte{}},
		{"format byte only", []byte("j")},
		{"bare JSON", good[1:]},
		{"uppercase J", append([]byte("J"), good[1:]...)},
		{"NUL", append([]byte{0}, good[1:]...)},
		{"other letter", append([]byte("g"), good[1:]...)},
		{"high byte", append([]byte{0xff}, good[1:]...)},
		{"two format bytes", append([]byte("j"), good...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := c.Unmarshal(tt.data)
			if !errors.Is(err, ErrDecode) {
				t.Errorf("Unmarshal(%q) error = %v, want ErrDecode", tt.data, err)
			}
			if !reflect.DeepEqual(v, codecTestValue{}) {
				t.Errorf("Unmarshal(%q) returned %+v with its error, want the zero value", tt.data, v)
			}
		})
	}
}

func TestJSONUnmarshalRejectsMalformedJSON(t *testing.T) {
	c := JSON[codecTestValue]()
	for _, s := range []string{`j{`, `j{"user":}`, `j{"user":"a"} x`, `j{"user":"a"}{}`, "j\xff", `j{"user":"a",}`} {
		if _, err := c.Unmarshal([]byte(s)); !errors.Is(err, ErrDecode) {
			t.Errorf("Unmarshal(%q) error = %v, want ErrDecode", s, err)
		}
	}
}

func TestJSONUnmarshalRejectsValuesThatNoLongerFit(t *testing.T) {
	c := JSON[codecTestValue]()
	tests := []string{
		`j{"count":"seven"}`,
		`j{"count":1.5}`,
		`j{"user":42}`,
		`j{"roles":"admin"}`,
		`j{"prefs":["theme"]}`,
		`j{"prefs":{"theme":1}}`,
		`j[]`,
		`j"ada"`,
	}
	for _, s := range tests {
		v, err := c.Unmarshal([]byte(s))
		if !errors.Is(err, ErrDecode) {
			t.Errorf("Unmarshal(%q) error = %v, want ErrDecode", s, err)
		}
		if !reflect.DeepEqual(v, codecTestValue{}) {
			t.Errorf("Unmarshal(%q) returned a partial value %+v", s, v)
		}
	}
}

func TestJSONMarshalRefusesValuesOverMaxBytes(t *testing.T) {
	v := codecTestValue{User: strings.Repeat("a", DefaultMaxValueBytes)}
	_, err := JSON[codecTestValue]().Marshal(v)
	if !errors.Is(err, ErrValueTooLarge) {
		t.Errorf("Marshal of a %d-byte string: error = %v, want ErrValueTooLarge", len(v.User), err)
	}
}

func TestJSONMaxBytesCountsTheFormatByte(t *testing.T) {
	v := codecTestValue{User: "ada", Roles: []string{"x"}}
	data, err := JSON[codecTestValue]().Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	exact := JSONCodec[codecTestValue]{MaxBytes: len(data)}
	if _, err := exact.Marshal(v); err != nil {
		t.Errorf("Marshal with MaxBytes = encoded size (%d): %v", len(data), err)
	}
	if _, err := exact.Unmarshal(data); err != nil {
		t.Errorf("Unmarshal with MaxBytes = encoded size (%d): %v", len(data), err)
	}
	under := JSONCodec[codecTestValue]{MaxBytes: len(data) - 1}
	if _, err := under.Marshal(v); !errors.Is(err, ErrValueTooLarge) {
		t.Errorf("Marshal with MaxBytes one under: error = %v, want ErrValueTooLarge", err)
	}
	if _, err := under.Unmarshal(data); !errors.Is(err, ErrDecode) {
		t.Errorf("Unmarshal with MaxBytes one under: error = %v, want ErrDecode", err)
	}
}

func TestJSONUnmarshalRefusesDataOverMaxBytes(t *testing.T) {
	// Valid JSON, padded with whitespace past the bound.
	data := []byte(`j{"user":"ada"}` + strings.Repeat(" ", DefaultMaxValueBytes))
	_, err := JSON[codecTestValue]().Unmarshal(data)
	if !errors.Is(err, ErrDecode) {
		t.Errorf("Unmarshal of %d bytes: error = %v, want ErrDecode", len(data), err)
	}
	if errors.Is(err, ErrValueTooLarge) {
		t.Errorf("Unmarshal error %v is ErrValueTooLarge; reading reports ErrDecode", err)
	}
	if _, err := JSON[codecTestValue]().Unmarshal(data[:DefaultMaxValueBytes]); err != nil {
		t.Errorf("Unmarshal of exactly DefaultMaxValueBytes: %v", err)
	}
}

func TestJSONMarshalRefusesNestingOverMaxDepth(t *testing.T) {
	c := JSON[*codecNested]()
	if _, err := c.Marshal(nestedValue(DefaultMaxValueDepth)); err != nil {
		t.Errorf("Marshal at depth %d: %v", DefaultMaxValueDepth, err)
	}
	_, err := c.Marshal(nestedValue(DefaultMaxValueDepth + 1))
	if !errors.Is(err, ErrValueTooLarge) {
		t.Errorf("Marshal at depth %d: error = %v, want ErrValueTooLarge", DefaultMaxValueDepth+1, err)
	}
}

func TestJSONUnmarshalRefusesNestingOverMaxDepth(t *testing.T) {
	c := JSON[any]()
	if _, err := c.Unmarshal(nestedArrays(DefaultMaxValueDepth)); err != nil {
		t.Errorf("Unmarshal at depth %d: %v", DefaultMaxValueDepth, err)
	}
	for _, depth := range []int{DefaultMaxValueDepth + 1, 10_000, 50_000} {
		if _, err := c.Unmarshal(nestedArrays(depth)); !errors.Is(err, ErrDecode) {
			t.Errorf("Unmarshal at depth %d: error = %v, want ErrDecode", depth, err)
		}
	}
	// Unclosed brackets count too.
	if _, err := c.Unmarshal([]byte("j" + strings.Repeat("[", DefaultMaxValueDepth+1))); !errors.Is(err, ErrDecode) {
		t.Errorf("Unmarshal of unclosed brackets: error = %v, want ErrDecode", err)
	}
	// Objects and arrays count alike.
	mixed := "j" + strings.Repeat(`{"a":[`, DefaultMaxValueDepth/2+1) + strings.Repeat("]}", DefaultMaxValueDepth/2+1)
	if _, err := c.Unmarshal([]byte(mixed)); !errors.Is(err, ErrDecode) {
		t.Errorf("Unmarshal of mixed nesting %d deep: error = %v, want ErrDecode", DefaultMaxValueDepth+2, err)
	}
}

func TestJSONDepthIgnoresBracketsInsideStrings(t *testing.T) {
	c := JSONCodec[codecTestValue]{MaxDepth: 2}
	v := codecTestValue{
		User:  strings.Repeat("[{", 100) + `\"[[[` + `"{{{`,
		Roles: []string{strings.Repeat("[", 50), `\`, `"[`},
		Prefs: map[string]string{strings.Repeat("{", 40): strings.Repeat("]", 40)},
	}
	data, err := c.Marshal(v)
	if err != nil {
		t.Fatalf("Marshal with brackets in strings: %v", err)
	}
	out, err := c.Unmarshal(data)
	if err != nil {
		t.Fatalf("Unmarshal(%q): %v", data, err)
	}
	if !reflect.DeepEqual(out, v) {
		t.Errorf("round trip = %+v, want %+v", out, v)
	}
	// An escaped quote does not end a string.
	raw := []byte(`j{"user":"\"[[[[[[[[[[","roles":null}`)
	if _, err := c.Unmarshal(raw); err != nil {
		t.Errorf("Unmarshal(%q): %v", raw, err)
	}
}

func TestJSONCodecRespectsCustomBounds(t *testing.T) {
	small := JSONCodec[codecTestValue]{MaxBytes: 32}
	if _, err := small.Marshal(codecTestValue{User: strings.Repeat("a", 40)}); !errors.Is(err, ErrValueTooLarge) {
		t.Errorf("Marshal past MaxBytes 32: error = %v, want ErrValueTooLarge", err)
	}
	big, err := JSON[codecTestValue]().Marshal(codecTestValue{User: strings.Repeat("a", 40)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := small.Unmarshal(big); !errors.Is(err, ErrDecode) {
		t.Errorf("Unmarshal past MaxBytes 32: error = %v, want ErrDecode", err)
	}

	large := JSONCodec[codecTestValue]{MaxBytes: 2 * DefaultMaxValueBytes}
	v := codecTestValue{User: strings.Repeat("a", DefaultMaxValueBytes)}
	data, err := large.Marshal(v)
	if err != nil {
		t.Fatalf("Marshal under a raised MaxBytes: %v", err)
	}
	if _, err := large.Unmarshal(data); err != nil {
		t.Errorf("Unmarshal under a raised MaxBytes: %v", err)
	}

	shallow := JSONCodec[*codecNested]{MaxDepth: 3}
	if _, err := shallow.Marshal(nestedValue(3)); err != nil {
		t.Errorf("Marshal at MaxDepth 3: %v", err)
	}
	if _, err := shallow.Marshal(nestedValue(4)); !errors.Is(err, ErrValueTooLarge) {
		t.Errorf("Marshal past MaxDepth 3: error = %v, want ErrValueTooLarge", err)
	}
	deep, err := JSON[*codecNested]().Marshal(nestedValue(4))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := shallow.Unmarshal(deep); !errors.Is(err, ErrDecode) {
		t.Errorf("Unmarshal past MaxDepth 3: error = %v, want ErrDecode", err)
	}

	deeper := JSONCodec[*codecNested]{MaxDepth: 100}
	data, err = deeper.Marshal(nestedValue(100))
	if err != nil {
		t.Fatalf("Marshal under a raised MaxDepth: %v", err)
	}
	got, err := deeper.Unmarshal(data)
	if err != nil {
		t.Fatalf("Unmarshal under a raised MaxDepth: %v", err)
	}
	if !reflect.DeepEqual(got, nestedValue(100)) {
		t.Error("round trip under a raised MaxDepth changed the value")
	}
}

func TestJSONMarshalReportsUnencodableValues(t *testing.T) {
	_, err := JSON[map[string]any]().Marshal(map[string]any{"c": make(chan int)})
	if err == nil {
		t.Fatal("Marshal of a channel succeeded")
	}
	if errors.Is(err, ErrValueTooLarge) {
		t.Errorf("Marshal of a channel: error %v is ErrValueTooLarge", err)
	}
}

func TestJSONUnmarshalRefusesInvalidUTF8(t *testing.T) {
	_, err := JSON[map[string]string]().Unmarshal([]byte("j{\"k\":\"\xff\"}"))
	if !errors.Is(err, ErrDecode) {
		t.Fatalf("Unmarshal of invalid UTF-8 = %v, want ErrDecode", err)
	}
}
