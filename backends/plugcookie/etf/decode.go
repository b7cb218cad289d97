package etf

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"unicode/utf8"
)

// Default bounds of [Limits]' zero value.
const (
	DefaultMaxBytes = 64 << 10
	DefaultMaxDepth = 32
	DefaultMaxTerms = 10_000
	// MaxBigBytes bounds the magnitude of a bignum: 2048 bits, far beyond
	// any integer a session holds (millisecond timestamps need 41).
	MaxBigBytes = 256
	// maxAtomChars is Erlang's own bound on an atom's length.
	maxAtomChars = 255
)

// Limits bounds what Decode accepts. A zero field takes its default.
type Limits struct {
	MaxBytes int // input size, version byte included
	MaxDepth int // nesting of lists, tuples and maps
	MaxTerms int // terms in all, containers and their elements alike
}

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	if l.MaxTerms <= 0 {
		l.MaxTerms = DefaultMaxTerms
	}
	return l
}

// Decode reads one term in the external term format, version byte first,
// within the default [Limits]. See the package documentation for the Go
// values it returns and the terms it refuses. Trailing bytes are an error.
func Decode(data []byte) (any, error) { return Limits{}.Decode(data) }

// Decode reads one term as the package-level [Decode] does, within l.
func (l Limits) Decode(data []byte) (any, error) {
	l = l.withDefaults()
	if len(data) > l.MaxBytes {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrLimit, len(data), l.MaxBytes)
	}
	if len(data) == 0 || data[0] != versionMagic {
		return nil, fmt.Errorf("%w: no version byte 131", ErrMalformed)
	}
	d := decoder{data: data, pos: 1, lim: l}
	v, err := d.term(0)
	if err != nil {
		return nil, err
	}
	if d.pos != len(d.data) {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrMalformed, len(d.data)-d.pos)
	}
	return v, nil
}

// decoder reads terms from data, counting them against lim.
type decoder struct {
	data  []byte
	pos   int
	terms int
	lim   Limits
}

var errShort = fmt.Errorf("%w: unexpected end of input", ErrMalformed)

// take returns the next n bytes, or errShort.
func (d *decoder) take(n int) ([]byte, error) {
	if n < 0 || n > len(d.data)-d.pos {
		return nil, errShort
	}
	b := d.data[d.pos : d.pos+n]
	d.pos += n
	return b, nil
}

func (d *decoder) u8() (int, error) {
	b, err := d.take(1)
	if err != nil {
		return 0, err
	}
	return int(b[0]), nil
}

func (d *decoder) u16() (int, error) {
	b, err := d.take(2)
	if err != nil {
		return 0, err
	}
	return int(binary.BigEndian.Uint16(b)), nil
}

// u32 reads a length or count. Every one of them counts bytes or terms of
// the input, so a value beyond the input's length is refused here, which
// also keeps it within int on 32-bit platforms.
func (d *decoder) u32() (int, error) {
	b, err := d.take(4)
	if err != nil {
		return 0, err
	}
	n := binary.BigEndian.Uint32(b)
	if uint64(n) > uint64(len(d.data)) {
		return 0, errShort
	}
	return int(n), nil
}

// count checks n elements of at least minSize bytes each against what
// remains of the input and against MaxTerms, before anything is allocated
// for them.
func (d *decoder) count(n, minSize int) error {
	if n > (len(d.data)-d.pos)/minSize {
		return errShort
	}
	if d.terms+n > d.lim.MaxTerms {
		return fmt.Errorf("%w: more than %d terms", ErrLimit, d.lim.MaxTerms)
	}
	return nil
}

// term reads one term at nesting depth depth.
func (d *decoder) term(depth int) (any, error) {
	if depth > d.lim.MaxDepth {
		return nil, fmt.Errorf("%w: nested deeper than %d", ErrLimit, d.lim.MaxDepth)
	}
	if d.terms++; d.terms > d.lim.MaxTerms {
		return nil, fmt.Errorf("%w: more than %d terms", ErrLimit, d.lim.MaxTerms)
	}
	tag, err := d.u8()
	if err != nil {
		return nil, err
	}
	switch tag {
	case tagSmallInt:
		n, err := d.u8()
		return int64(n), err
	case tagInt:
		b, err := d.take(4)
		if err != nil {
			return nil, err
		}
		return int64(int32(binary.BigEndian.Uint32(b))), nil
	case tagSmallBig:
		n, err := d.u8()
		if err != nil {
			return nil, err
		}
		return d.bignum(n)
	case tagLargeBig:
		n, err := d.u32()
		if err != nil {
			return nil, err
		}
		return d.bignum(n)
	case tagNewFloat:
		b, err := d.take(8)
		if err != nil {
			return nil, err
		}
		f := math.Float64frombits(binary.BigEndian.Uint64(b))
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("%w: a float that is not finite", ErrMalformed)
		}
		return f, nil
	case tagAtom, tagAtomUTF8:
		n, err := d.u16()
		if err != nil {
			return nil, err
		}
		return d.atom(n, tag == tagAtomUTF8)
	case tagSmallAtom, tagSmallAtomU8:
		n, err := d.u8()
		if err != nil {
			return nil, err
		}
		return d.atom(n, tag == tagSmallAtomU8)
	case tagBinary:
		n, err := d.u32()
		if err != nil {
			return nil, err
		}
		b, err := d.take(n)
		return string(b), err
	case tagNil:
		return []any{}, nil
	case tagString:
		return d.charlist()
	case tagList:
		return d.list(depth)
	case tagSmallTuple:
		n, err := d.u8()
		if err != nil {
			return nil, err
		}
		return d.tuple(n, depth)
	case tagLargeTuple:
		n, err := d.u32()
		if err != nil {
			return nil, err
		}
		return d.tuple(n, depth)
	case tagMap:
		return d.mapTerm(depth)
	case tagNewFun, tagExport, tagFun:
		return nil, fmt.Errorf("%w: tag %d", ErrExecutable, tag)
	}
	return nil, fmt.Errorf("%w: tag %d", ErrUnsupported, tag)
}

// bignum reads a sign byte and n little-endian magnitude bytes. Values
// that fit in an int64 come back as one, so each integer has one Go form.
func (d *decoder) bignum(n int) (any, error) {
	if n > MaxBigBytes {
		return nil, fmt.Errorf("%w: a %d-byte bignum, limit %d", ErrLimit, n, MaxBigBytes)
	}
	sign, err := d.u8()
	if err != nil {
		return nil, err
	}
	if sign > 1 {
		return nil, fmt.Errorf("%w: bignum sign byte %d", ErrMalformed, sign)
	}
	le, err := d.take(n)
	if err != nil {
		return nil, err
	}
	be := make([]byte, n)
	for i, b := range le {
		be[n-1-i] = b
	}
	x := new(big.Int).SetBytes(be)
	if sign == 1 {
		x.Neg(x)
	}
	if x.IsInt64() {
		return x.Int64(), nil
	}
	return x, nil
}

// atom reads an atom of n bytes, Latin-1 unless utf8. nil, true and false
// become Go's nil and bools.
func (d *decoder) atom(n int, utf8Atom bool) (any, error) {
	b, err := d.take(n)
	if err != nil {
		return nil, err
	}
	var name string
	if utf8Atom {
		if !utf8.Valid(b) || utf8.RuneCount(b) > maxAtomChars {
			return nil, fmt.Errorf("%w: an atom that is not UTF-8 of at most %d characters", ErrMalformed, maxAtomChars)
		}
		name = string(b)
	} else {
		if n > maxAtomChars {
			return nil, fmt.Errorf("%w: an atom longer than %d characters", ErrMalformed, maxAtomChars)
		}
		name = latin1(b)
	}
	switch name {
	case "nil":
		return nil, nil
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return Atom(name), nil
}

// latin1 converts Latin-1 bytes to UTF-8.
func latin1(b []byte) string {
	out := make([]rune, len(b))
	for i, c := range b {
		out[i] = rune(c)
	}
	return string(out)
}

// charlist reads STRING_EXT, Erlang's compact form of a list of bytes.
func (d *decoder) charlist() (any, error) {
	n, err := d.u16()
	if err != nil {
		return nil, err
	}
	if err := d.count(n, 1); err != nil {
		return nil, err
	}
	b, _ := d.take(n)
	d.terms += n
	out := make([]any, n)
	for i, c := range b {
		out[i] = int64(c)
	}
	return out, nil
}

// list reads LIST_EXT: n elements and a tail, which must be [].
func (d *decoder) list(depth int) (any, error) {
	n, err := d.u32()
	if err != nil {
		return nil, err
	}
	if err := d.count(n, 1); err != nil {
		return nil, err
	}
	out := make([]any, n)
	for i := range out {
		if out[i], err = d.term(depth + 1); err != nil {
			return nil, err
		}
	}
	tail, err := d.u8()
	if err != nil {
		return nil, err
	}
	if tail != tagNil {
		return nil, fmt.Errorf("%w: improper list", ErrUnsupported)
	}
	return out, nil
}

func (d *decoder) tuple(n, depth int) (any, error) {
	if err := d.count(n, 1); err != nil {
		return nil, err
	}
	out := make(Tuple, n)
	var err error
	for i := range out {
		if out[i], err = d.term(depth + 1); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// mapTerm reads MAP_EXT. Maps whose keys are all binaries become
// map[string]any, others Map; duplicate keys are refused.
func (d *decoder) mapTerm(depth int) (any, error) {
	n, err := d.u32()
	if err != nil {
		return nil, err
	}
	if err := d.count(n, 2); err != nil {
		return nil, err
	}
	pairs := make(Map, n)
	allBinary := true
	for i := range pairs {
		if pairs[i].Key, err = d.term(depth + 1); err != nil {
			return nil, err
		}
		if pairs[i].Value, err = d.term(depth + 1); err != nil {
			return nil, err
		}
		_, isString := pairs[i].Key.(string)
		allBinary = allBinary && isString
	}
	if allBinary {
		m := make(map[string]any, n)
		for _, p := range pairs {
			k := p.Key.(string)
			if _, dup := m[k]; dup {
				return nil, fmt.Errorf("%w: duplicate map key", ErrMalformed)
			}
			m[k] = p.Value
		}
		return m, nil
	}
	seen := make(map[string]bool, n)
	for _, p := range pairs {
		// Encoding is canonical (one spelling per term), so equal keys
		// have equal encodings, whatever form the input used.
		k, err := Encode(p.Key)
		if err != nil {
			return nil, err
		}
		if seen[string(k)] {
			return nil, fmt.Errorf("%w: duplicate map key", ErrMalformed)
		}
		seen[string(k)] = true
	}
	return pairs, nil
}
