package sessions

import (
	"errors"
	"reflect"
	"testing"
)

// FuzzJSONUnmarshal feeds arbitrary bytes to the JSON codec. It must never
// panic, must report every failure as ErrDecode, and whatever it decodes
// must survive another round trip unchanged.
func FuzzJSONUnmarshal(f *testing.F) {
	c := JSON[codecTestValue]()
	f.Add([]byte(nil))
	f.Add([]byte("j"))
	f.Add([]byte("jnull"))
	f.Add([]byte(`j{}`))
	f.Add([]byte(`{"user":"ada"}`))
	f.Add([]byte(`j{"user":"ada","roles":["admin","dev"],"prefs":{"theme":"dark"},"count":7}`))
	f.Add([]byte(`j{"roles":[],"prefs":{}}`))
	f.Add([]byte(`j{"roles":null,"prefs":null}`))
	f.Add([]byte(`j{"user":"\u00e9\ud800\"[[{{","count":-1}`))
	f.Add([]byte(`j{"count":"1"}`))
	f.Add([]byte(`j{"USER":"case","extra":[[[[1]]]]}`))
	f.Add(nestedArrays(DefaultMaxValueDepth + 1))
	f.Add([]byte("j{\"user\":\"\xff\xfe\"}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := c.Unmarshal(data)
		if err != nil {
			if !errors.Is(err, ErrDecode) {
				t.Fatalf("Unmarshal(%q) error %v is not ErrDecode", data, err)
			}
			return
		}
		again, err := c.Marshal(v)
		if errors.Is(err, ErrValueTooLarge) && len(data) > DefaultMaxValueBytes/2 {
			// U+2028 and U+2029 re-encode as six-byte escapes, twice
			// their raw size, so data near the bound may grow past it.
			return
		}
		if err != nil {
			t.Fatalf("Marshal of %+v (decoded from %q): %v", v, data, err)
		}
		w, err := c.Unmarshal(again)
		if err != nil {
			t.Fatalf("Unmarshal(%q) (re-encoded from %q): %v", again, data, err)
		}
		if !reflect.DeepEqual(v, w) {
			t.Fatalf("round trip changed the value:\n got %+v\nwant %+v\n(data %q, re-encoded %q)", w, v, data, again)
		}
	})
}
