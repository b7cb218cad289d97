package bench

import (
	"bytes"
	"encoding/gob"
	"fmt"

	"github.com/typedsession/sessions"
)

// gobFormat is the format byte of GobCodec data.
const gobFormat byte = 'g'

// GobCodec encodes values with encoding/gob behind a format byte. Like the
// stores of scs and gorilla/sessions it uses a new Encoder and Decoder for
// every value, so each encoding carries its own type description and each
// decoding compiles its decoder again: it exists to measure this library
// on the peers' codec, like for like. Its zero value uses
// sessions.DefaultMaxValueBytes as its bound.
type GobCodec[V any] struct {
	// MaxBytes bounds the encoded size, format byte included; 0 means
	// sessions.DefaultMaxValueBytes.
	MaxBytes int
}

func (c GobCodec[V]) maxBytes() int {
	if c.MaxBytes > 0 {
		return c.MaxBytes
	}
	return sessions.DefaultMaxValueBytes
}

// Marshal implements sessions.Codec. It returns an error wrapping
// sessions.ErrValueTooLarge when the encoding exceeds MaxBytes.
func (c GobCodec[V]) Marshal(v V) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte(gobFormat)
	if err := gob.NewEncoder(&buf).Encode(v); err != nil {
		return nil, fmt.Errorf("bench: gob encoding: %w", err)
	}
	if buf.Len() > c.maxBytes() {
		return nil, fmt.Errorf("%w: %d bytes encoded, limit %d", sessions.ErrValueTooLarge, buf.Len(), c.maxBytes())
	}
	return buf.Bytes(), nil
}

// Unmarshal implements sessions.Codec. It refuses data without the format
// byte or over MaxBytes before decoding anything; gob itself bounds what
// it allocates by the length of its input. Every error wraps
// sessions.ErrDecode.
func (c GobCodec[V]) Unmarshal(data []byte) (V, error) {
	var v V
	switch {
	case len(data) == 0 || data[0] != gobFormat:
		return v, fmt.Errorf("%w: not gob codec data", sessions.ErrDecode)
	case len(data) > c.maxBytes():
		return v, fmt.Errorf("%w: %d bytes, limit %d", sessions.ErrDecode, len(data), c.maxBytes())
	}
	if err := gob.NewDecoder(bytes.NewReader(data[1:])).Decode(&v); err != nil {
		var zero V
		return zero, fmt.Errorf("%w: %w", sessions.ErrDecode, err)
	}
	return v, nil
}
