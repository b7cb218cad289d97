package etf_test

import (
	"bytes"
	"errors"
	"math"
	"math/big"
	"reflect"
	"testing"

	"github.com/typedsession/sessions/backends/plugcookie/etf"
	"pgregory.net/rapid"
)

// termGen draws terms of every type Decode returns, nested up to depth.
func termGen(depth int) *rapid.Generator[any] {
	leaves := []*rapid.Generator[any]{
		rapid.Just[any](nil),
		rapid.Map(rapid.Bool(), func(b bool) any { return b }),
		rapid.Map(rapid.StringN(1, 10, 255), func(s string) any {
			if s == "nil" || s == "true" || s == "false" {
				return etf.Atom(s + "_")
			}
			return etf.Atom(s)
		}),
		rapid.Map(rapid.String(), func(s string) any { return s }),
		rapid.Map(rapid.SliceOf(rapid.Byte()), func(b []byte) any { return string(b) }),
		rapid.Map(rapid.Int64(), func(n int64) any { return n }),
		rapid.Map(rapid.SliceOfN(rapid.Byte(), 9, 40), func(b []byte) any {
			x := new(big.Int).SetBytes(append([]byte{1}, b...))
			if b[0]&1 == 1 {
				x.Neg(x)
			}
			return x
		}),
		rapid.Map(rapid.Float64().Filter(func(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }), func(f float64) any { return f }),
	}
	if depth == 0 {
		return rapid.OneOf(leaves...)
	}
	inner := termGen(depth - 1)
	return rapid.OneOf(append(leaves,
		rapid.Map(rapid.SliceOfN(inner, 0, 4), func(l []any) any { return l }),
		rapid.Map(rapid.SliceOfN(inner, 0, 4), func(l []any) any { return etf.Tuple(l) }),
		rapid.Map(rapid.MapOfN(rapid.String(), inner, 0, 4), func(m map[string]any) any { return m }),
		rapid.Map(rapid.MapOfN(rapid.Int64(), inner, 1, 4), func(m map[int64]any) any {
			out := etf.Map{}
			for k, v := range m {
				out = append(out, etf.Pair{Key: k, Value: v})
			}
			return out
		}),
	)...)
}

func TestEveryTermRoundTrips(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		term := termGen(3).Draw(t, "term")
		data, err := etf.Encode(term)
		if err != nil {
			t.Fatalf("Encode: %v", err)
		}
		got, err := etf.Decode(data)
		if err != nil {
			t.Fatalf("Decode: %v", err)
		}
		if !reflect.DeepEqual(got, term) {
			t.Fatalf("Decode(Encode(%#v)) = %#v", term, got)
		}
		again, err := etf.Encode(got)
		if err != nil || !bytes.Equal(again, data) {
			t.Fatalf("encoding is not canonical: %x then %x (%v)", data, again, err)
		}
	})
}

// FuzzDecode decodes arbitrary bytes. It must never panic, fail only with
// the package's errors, and whatever it decodes must encode and decode
// again to the same term.
func FuzzDecode(f *testing.F) {
	for _, g := range goldenTerms {
		f.Add(unhex(f, g.hex))
	}
	f.Add([]byte{131, 108, 0, 0, 0, 2, 97, 1, 107, 0, 1, 104, 106})
	f.Add([]byte{131, 112, 0, 0, 0, 0})
	f.Add([]byte{131, 116, 255, 255, 255, 255})
	f.Fuzz(func(t *testing.T, data []byte) {
		term, err := etf.Decode(data)
		if err != nil {
			if !errors.Is(err, etf.ErrMalformed) && !errors.Is(err, etf.ErrExecutable) &&
				!errors.Is(err, etf.ErrUnsupported) && !errors.Is(err, etf.ErrLimit) {
				t.Fatalf("Decode: unexpected error %v", err)
			}
			return
		}
		enc, err := etf.Encode(term)
		if err != nil {
			t.Fatalf("Encode of a decoded term: %v", err)
		}
		again, err := etf.Decode(enc)
		if err != nil || !reflect.DeepEqual(again, term) {
			t.Fatalf("re-decoding %x: %#v, %v; want %#v", enc, again, err, term)
		}
	})
}
