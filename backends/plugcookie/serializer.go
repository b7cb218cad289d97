package plugcookie

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"unicode/utf8"

	"github.com/typedsession/sessions/backends/plugcookie/etf"
)

// Serializer turns a session map into a cookie's payload and back, as
// Plug's serializer option does. A session map has string keys (Plug
// stores every key as a string) and [etf] terms as values.
type Serializer interface {
	Encode(session map[string]any) ([]byte, error)
	Decode(payload []byte) (map[string]any, error)
}

// Bounds of the payloads the serializers read. A cookie holds at most
// 4096 bytes, so these are far above anything a valid cookie carries.
const (
	maxPayloadBytes = 8 << 10
	maxPayloadDepth = 32
	maxPayloadTerms = 4096
)

// ETF returns Plug's default serializer, :external_term_format:
// :erlang.term_to_binary/1 and Plug.Crypto.non_executable_binary_to_term/1,
// with the subset, refusals and bounds of package [etf].
func ETF() Serializer { return etfSerializer{} }

type etfSerializer struct{}

var etfLimits = etf.Limits{MaxBytes: maxPayloadBytes, MaxDepth: maxPayloadDepth, MaxTerms: maxPayloadTerms}

func (etfSerializer) Encode(session map[string]any) ([]byte, error) { return etf.Encode(session) }

func (etfSerializer) Decode(payload []byte) (map[string]any, error) {
	t, err := etfLimits.Decode(payload)
	if err != nil {
		return nil, err
	}
	m, ok := t.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("plugcookie: the session is a %T, not a map with string keys", t)
	}
	return m, nil
}

// JSON returns the serializer of a Plug app configured with
// `serializer: Jason`. JSON has fewer types than Erlang: atoms are written
// as strings, tuples and binaries that are not UTF-8 cannot be written
// (Jason refuses them too), and maps must have string or atom keys.
// Integers read back as int64 (or *big.Int beyond it), other numbers as
// float64.
func JSON() Serializer { return jsonSerializer{} }

type jsonSerializer struct{}

func (jsonSerializer) Encode(session map[string]any) ([]byte, error) {
	v, err := toJSON(session, 0)
	if err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

// toJSON converts a term to what encoding/json writes as Jason would.
func toJSON(t any, depth int) (any, error) {
	if depth > maxPayloadDepth {
		return nil, fmt.Errorf("%w: nested deeper than %d", etf.ErrLimit, maxPayloadDepth)
	}
	switch t := t.(type) {
	case nil, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return t, nil
	case *big.Int:
		return json.Number(t.String()), nil
	case etf.Atom:
		return string(t), nil
	case string:
		if !utf8.ValidString(t) {
			return nil, errors.New("plugcookie: JSON cannot hold a binary that is not UTF-8")
		}
		return t, nil
	case []byte:
		return toJSON(string(t), depth)
	case []string:
		return t, nil
	case map[string]string:
		return t, nil
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			var err error
			if out[i], err = toJSON(x, depth+1); err != nil {
				return nil, err
			}
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			v, err := toJSON(x, depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = v
		}
		return out, nil
	case etf.Map:
		out := make(map[string]any, len(t))
		for _, p := range t {
			k, ok := p.Key.(etf.Atom)
			if !ok {
				return nil, fmt.Errorf("plugcookie: JSON map keys are strings or atoms, not %T", p.Key)
			}
			v, err := toJSON(p.Value, depth+1)
			if err != nil {
				return nil, err
			}
			out[string(k)] = v
		}
		return out, nil
	}
	return nil, fmt.Errorf("plugcookie: JSON cannot hold a %T", t)
}

func (jsonSerializer) Decode(payload []byte) (map[string]any, error) {
	if len(payload) > maxPayloadBytes {
		return nil, fmt.Errorf("%w: %d bytes", etf.ErrLimit, len(payload))
	}
	if !utf8.Valid(payload) || jsonDepth(payload) > maxPayloadDepth {
		return nil, errors.New("plugcookie: JSON payload not UTF-8 or nested too deep")
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if dec.More() || m == nil {
		return nil, errors.New("plugcookie: JSON payload is not one object")
	}
	if _, err := fromJSON(m); err != nil {
		return nil, err
	}
	return m, nil
}

// fromJSON turns json.Numbers into integers (int64, or *big.Int up to
// etf.MaxBigBytes) or finite floats, and refuses any other number.
func fromJSON(v any) (any, error) {
	var err error
	switch v := v.(type) {
	case json.Number:
		if n, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			return n, nil
		}
		if x, ok := new(big.Int).SetString(string(v), 10); ok {
			if x.BitLen() > 8*etf.MaxBigBytes {
				return nil, fmt.Errorf("%w: an integer of %d bits", etf.ErrLimit, x.BitLen())
			}
			return x, nil
		}
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil {
			return nil, fmt.Errorf("plugcookie: JSON number %.20s is out of range", string(v))
		}
		return f, nil
	case []any:
		for i := range v {
			if v[i], err = fromJSON(v[i]); err != nil {
				return nil, err
			}
		}
	case map[string]any:
		for k := range v {
			if v[k], err = fromJSON(v[k]); err != nil {
				return nil, err
			}
		}
	}
	return v, nil
}

// jsonDepth returns the deepest nesting of arrays and objects in data,
// outside strings, in one pass with no allocation.
func jsonDepth(data []byte) int {
	depth, deepest, inString, escaped := 0, 0, false, false
	for _, c := range data {
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case inString:
			inString = c != '"'
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
