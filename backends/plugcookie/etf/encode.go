package etf

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"slices"
	"unicode/utf8"
)

// Encode writes v in the external term format, version byte first, as
// :erlang.term_to_binary/1 would write the same term (see the package
// documentation for the Go values it accepts). It refuses values nested
// deeper than [DefaultMaxDepth], so what it writes, [Decode] reads, and a
// value that contains itself is an error, not a crash.
func Encode(v any) ([]byte, error) {
	return Append(make([]byte, 0, 64), v)
}

// Append is [Encode] appending to dst.
func Append(dst []byte, v any) ([]byte, error) {
	return appendTerm(append(dst, versionMagic), v, 0)
}

func appendTerm(b []byte, v any, depth int) ([]byte, error) {
	if depth > DefaultMaxDepth {
		return nil, fmt.Errorf("%w: nested deeper than %d", ErrLimit, DefaultMaxDepth)
	}
	switch v := v.(type) {
	case nil:
		return appendAtom(b, "nil")
	case bool:
		if v {
			return appendAtom(b, "true")
		}
		return appendAtom(b, "false")
	case Atom:
		return appendAtom(b, string(v))
	case string:
		return appendBinary(b, v), nil
	case []byte:
		return appendBinary(b, string(v)), nil
	case int:
		return appendInt(b, int64(v)), nil
	case int8:
		return appendInt(b, int64(v)), nil
	case int16:
		return appendInt(b, int64(v)), nil
	case int32:
		return appendInt(b, int64(v)), nil
	case int64:
		return appendInt(b, v), nil
	case uint:
		return appendUint(b, uint64(v)), nil
	case uint8:
		return appendInt(b, int64(v)), nil
	case uint16:
		return appendInt(b, int64(v)), nil
	case uint32:
		return appendInt(b, int64(v)), nil
	case uint64:
		return appendUint(b, v), nil
	case *big.Int:
		if v == nil {
			return nil, fmt.Errorf("%w: nil *big.Int", ErrUnsupported)
		}
		return appendBig(b, v)
	case float32:
		return appendFloat(b, float64(v))
	case float64:
		return appendFloat(b, v)
	case []any:
		return appendList(b, len(v), func(b []byte, i int) ([]byte, error) { return appendTerm(b, v[i], depth+1) })
	case []string:
		return appendList(b, len(v), func(b []byte, i int) ([]byte, error) { return appendBinary(b, v[i]), nil })
	case Tuple:
		return appendTuple(b, v, depth)
	case map[string]any:
		return appendStringMap(b, v, func(b []byte, x any) ([]byte, error) { return appendTerm(b, x, depth+1) })
	case map[string]string:
		return appendStringMap(b, v, func(b []byte, x string) ([]byte, error) { return appendBinary(b, x), nil })
	case Map:
		return appendMap(b, v, depth)
	}
	return nil, fmt.Errorf("%w: Go type %T", ErrUnsupported, v)
}

func appendAtom(b []byte, name string) ([]byte, error) {
	if !utf8.ValidString(name) || utf8.RuneCountInString(name) > maxAtomChars {
		return nil, fmt.Errorf("%w: an atom must be UTF-8 of at most %d characters", ErrUnsupported, maxAtomChars)
	}
	if len(name) <= math.MaxUint8 {
		b = append(b, tagSmallAtomU8, byte(len(name)))
	} else {
		b = binary.BigEndian.AppendUint16(append(b, tagAtomUTF8), uint16(len(name)))
	}
	return append(b, name...), nil
}

func appendBinary(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(append(b, tagBinary), uint32(len(s)))
	return append(b, s...)
}

// appendInt writes n in the smallest form Erlang uses: SMALL_INTEGER_EXT
// for 0..255, INTEGER_EXT within int32, SMALL_BIG_EXT beyond.
func appendInt(b []byte, n int64) []byte {
	switch {
	case n >= 0 && n <= math.MaxUint8:
		return append(b, tagSmallInt, byte(n))
	case n >= math.MinInt32 && n <= math.MaxInt32:
		return binary.BigEndian.AppendUint32(append(b, tagInt), uint32(int32(n)))
	case n < 0:
		return appendMagnitude(b, 1, uint64(-(n+1))+1) // -MinInt64 overflows; this does not
	}
	return appendMagnitude(b, 0, uint64(n))
}

func appendUint(b []byte, n uint64) []byte {
	if n <= math.MaxInt64 {
		return appendInt(b, int64(n))
	}
	return appendMagnitude(b, 0, n)
}

// appendMagnitude writes SMALL_BIG_EXT for a 64-bit magnitude.
func appendMagnitude(b []byte, sign byte, mag uint64) []byte {
	var le [8]byte
	binary.LittleEndian.PutUint64(le[:], mag)
	n := 8
	for n > 1 && le[n-1] == 0 {
		n--
	}
	return append(append(b, tagSmallBig, byte(n), sign), le[:n]...)
}

func appendBig(b []byte, x *big.Int) ([]byte, error) {
	if x.IsInt64() {
		return appendInt(b, x.Int64()), nil
	}
	be := x.Bytes() // magnitude, big-endian
	if len(be) > MaxBigBytes {
		return nil, fmt.Errorf("%w: a %d-byte bignum, limit %d", ErrLimit, len(be), MaxBigBytes)
	}
	var sign byte
	if x.Sign() < 0 {
		sign = 1
	}
	b = append(b, tagSmallBig, byte(len(be)), sign)
	for i := len(be) - 1; i >= 0; i-- {
		b = append(b, be[i])
	}
	return b, nil
}

func appendFloat(b []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, fmt.Errorf("%w: Erlang floats are finite, got %v", ErrUnsupported, f)
	}
	return binary.BigEndian.AppendUint64(append(b, tagNewFloat), math.Float64bits(f)), nil
}

func appendList(b []byte, n int, elem func([]byte, int) ([]byte, error)) ([]byte, error) {
	if n == 0 {
		return append(b, tagNil), nil
	}
	b = binary.BigEndian.AppendUint32(append(b, tagList), uint32(n))
	var err error
	for i := range n {
		if b, err = elem(b, i); err != nil {
			return nil, err
		}
	}
	return append(b, tagNil), nil
}

func appendTuple(b []byte, t Tuple, depth int) ([]byte, error) {
	if len(t) <= math.MaxUint8 {
		b = append(b, tagSmallTuple, byte(len(t)))
	} else {
		b = binary.BigEndian.AppendUint32(append(b, tagLargeTuple), uint32(len(t)))
	}
	var err error
	for _, x := range t {
		if b, err = appendTerm(b, x, depth+1); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// appendStringMap writes a map with binary keys in sorted key order, the
// order Erlang writes small maps in, so equal maps encode equally.
func appendStringMap[T any](b []byte, m map[string]T, val func([]byte, T) ([]byte, error)) ([]byte, error) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = binary.BigEndian.AppendUint32(append(b, tagMap), uint32(len(m)))
	var err error
	for _, k := range keys {
		b = appendBinary(b, k)
		if b, err = val(b, m[k]); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func appendMap(b []byte, m Map, depth int) ([]byte, error) {
	b = binary.BigEndian.AppendUint32(append(b, tagMap), uint32(len(m)))
	var err error
	for _, p := range m {
		if b, err = appendTerm(b, p.Key, depth+1); err != nil {
			return nil, err
		}
		if b, err = appendTerm(b, p.Value, depth+1); err != nil {
			return nil, err
		}
	}
	return b, nil
}
