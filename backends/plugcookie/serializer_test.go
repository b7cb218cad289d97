package plugcookie_test

import (
	"math/big"
	"reflect"
	"strings"
	"testing"

	"github.com/typedsession/sessions/backends/plugcookie"
	"github.com/typedsession/sessions/backends/plugcookie/etf"
)

func TestJSONSerializerReadsWhatJasonWrites(t *testing.T) {
	huge, _ := new(big.Int).SetString("123456789012345678901234567890", 10)
	got, err := plugcookie.JSON().Decode([]byte(`{"user_id":42,"big":123456789012345678901234567890,"f":1.5,"ok":true,"none":null,"l":["a"],"m":{"k":"v"}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"user_id": int64(42), "big": huge, "f": 1.5, "ok": true, "none": nil, "l": []any{"a"}, "m": map[string]any{"k": "v"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Decode = %#v\nwant     %#v", got, want)
	}
	for name, in := range map[string]string{
		"a float out of range":      `{"f":1e400}`,
		"not an object":             `[1]`,
		"two objects":               `{}{}`,
		"invalid UTF-8":             "{\"a\":\"\xff\"}",
		"nested too deep":           `{"a":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`,
		"an integer over the bound": `{"n":1` + strings.Repeat("0", 700) + `}`,
	} {
		if _, err := plugcookie.JSON().Decode([]byte(in)); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}

func TestJSONSerializerWritesWhatJasonReads(t *testing.T) {
	data, err := plugcookie.JSON().Encode(map[string]any{"a": etf.Atom("info"), "n": int64(1), "m": etf.Map{{Key: etf.Atom("k"), Value: "v"}}})
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != `{"a":"info","m":{"k":"v"},"n":1}` {
		t.Fatalf("Encode = %s", data)
	}
	for name, v := range map[string]any{
		"a tuple":               etf.Tuple{1},
		"a binary not in UTF-8": "\xff",
		"an integer map key":    etf.Map{{Key: int64(1), Value: "v"}},
	} {
		if _, err := plugcookie.JSON().Encode(map[string]any{"x": v}); err == nil {
			t.Errorf("%s: encoded", name)
		}
	}
}
