package etf

import "errors"

// Atom is an Erlang atom other than nil, true and false, which decode to
// Go's nil and bools. Elixir writes :info as Atom("info") and module names
// with their prefix, as Atom("Elixir.DateTime").
type Atom string

// Tuple is an Erlang tuple.
type Tuple []any

// Map is an Erlang map with at least one key that is not a binary, such
// as the atom-keyed maps Elixir structs become (%{__struct__: ...}). Maps
// whose keys are all binaries decode to map[string]any instead. Pairs keep
// the order they had in the input.
type Map []Pair

// Pair is one key and value of a [Map].
type Pair struct {
	Key, Value any
}

// Errors of Decode and Encode; test them with errors.Is.
var (
	// ErrMalformed reports input that is not a well-formed term.
	ErrMalformed = errors.New("etf: malformed term")
	// ErrExecutable reports a function or an export (fun M:F/A), which a
	// session must never hold.
	ErrExecutable = errors.New("etf: executable term")
	// ErrUnsupported reports a well-formed term outside the subset: a
	// pid, port, reference, bitstring, improper list, compressed term, or
	// on encoding a Go value with no term, such as a NaN.
	ErrUnsupported = errors.New("etf: unsupported term")
	// ErrLimit reports input over a bound of [Limits].
	ErrLimit = errors.New("etf: over limit")
)

// Tags of the external term format that the subset uses.
const (
	versionMagic   = 131
	tagNewFloat    = 70
	tagSmallInt    = 97
	tagInt         = 98
	tagAtom        = 100
	tagSmallTuple  = 104
	tagLargeTuple  = 105
	tagNil         = 106
	tagString      = 107
	tagList        = 108
	tagBinary      = 109
	tagSmallBig    = 110
	tagLargeBig    = 111
	tagSmallAtom   = 115
	tagMap         = 116
	tagAtomUTF8    = 118
	tagSmallAtomU8 = 119
)

// Tags refused as executable.
const (
	tagNewFun = 112
	tagExport = 113
	tagFun    = 117
)
