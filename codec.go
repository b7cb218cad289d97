package sessions

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Codec turns values into bytes and back, for stores that keep bytes
// (networked stores and sealed cookies). A codec owns a format byte: it
// writes it first and refuses data that starts with any other, so a store
// never guesses at a format. Unmarshal must return an error wrapping
// [ErrDecode] for data it cannot decode, and bound the time and memory it
// spends on any input.
type Codec[V any] interface {
	Marshal(v V) ([]byte, error)
	Unmarshal(data []byte) (V, error)
}

// Default bounds of the JSON codec.
const (
	// DefaultMaxValueBytes bounds an encoded value, format byte included.
	DefaultMaxValueBytes = 64 << 10
	// DefaultMaxValueDepth bounds the nesting of arrays and objects.
	DefaultMaxValueDepth = 32
)

// jsonFormat is the format byte of JSONCodec data.
const jsonFormat byte = 'j'

// JSONCodec encodes values with encoding/json behind a format byte. Its
// zero value uses the default bounds.
type JSONCodec[V any] struct {
	// MaxBytes bounds the encoded size, format byte included; 0 means
	// DefaultMaxValueBytes. Marshal returns ErrValueTooLarge past it.
	MaxBytes int
	// MaxDepth bounds the nesting of arrays and objects; 0 means
	// DefaultMaxValueDepth.
	MaxDepth int
}

// JSON returns the default codec: JSON with the default bounds.
func JSON[V any]() Codec[V] { return JSONCodec[V]{} }

func (c JSONCodec[V]) maxBytes() int {
	if c.MaxBytes > 0 {
		return c.MaxBytes
	}
	return DefaultMaxValueBytes
}

func (c JSONCodec[V]) maxDepth() int {
	if c.MaxDepth > 0 {
		return c.MaxDepth
	}
	return DefaultMaxValueDepth
}

// Marshal implements [Codec].
func (c JSONCodec[V]) Marshal(v V) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte(jsonFormat)
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("sessions: encoding value: %w", err)
	}
	out := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if len(out) > c.maxBytes() {
		return nil, fmt.Errorf("%w: %d bytes encoded, limit %d", ErrValueTooLarge, len(out), c.maxBytes())
	}
	if jsonDepth(out[1:]) > c.maxDepth() {
		return nil, fmt.Errorf("%w: nested deeper than %d", ErrValueTooLarge, c.maxDepth())
	}
	return out, nil
}

// Unmarshal implements [Codec]. It checks the format byte, the size, the
// nesting depth and UTF-8 validity before it decodes anything.
func (c JSONCodec[V]) Unmarshal(data []byte) (V, error) {
	var v V
	switch {
	case len(data) == 0 || data[0] != jsonFormat:
		return v, fmt.Errorf("%w: not JSON codec data", ErrDecode)
	case len(data) > c.maxBytes():
		return v, fmt.Errorf("%w: %d bytes, limit %d", ErrDecode, len(data), c.maxBytes())
	case jsonDepth(data[1:]) > c.maxDepth():
		return v, fmt.Errorf("%w: nested deeper than %d", ErrDecode, c.maxDepth())
	case !utf8.Valid(data[1:]):
		// encoding/json would replace each bad byte with a three-byte
		// U+FFFD, so the value could no longer be written back within
		// MaxBytes. Marshal never produces such data.
		return v, fmt.Errorf("%w: invalid UTF-8", ErrDecode)
	}
	if err := json.Unmarshal(data[1:], &v); err != nil {
		var zero V
		return zero, fmt.Errorf("%w: %w", ErrDecode, err)
	}
	return v, nil
}

// jsonDepth returns the deepest nesting of arrays and objects in data,
// skipping string contents. It is linear and allocation-free, so it can
// run before the decoder on untrusted input. Malformed data gets some
// answer; the decoder rejects it afterwards.
func jsonDepth(data []byte) int {
	depth, deepest := 0, 0
	inString, escaped := false, false
	for _, c := range data {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
			deepest = max(deepest, depth)
		case c == ']' || c == '}':
			depth--
		}
	}
	return deepest
}
