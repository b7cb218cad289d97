// Package etf reads and writes the subset of Erlang's external term format
// that a Phoenix (Plug) session holds: what :erlang.term_to_binary/1
// produces for maps, binaries, integers, floats, atoms, lists, tuples and
// charlists. It is the default serializer of Plug's cookie store.
//
// # Terms as Go values
//
// [Decode] returns, and [Encode] accepts, these Go values:
//
//	Erlang term                       Go value (decoded)         also encoded from
//	atom nil                          nil                        nil
//	atoms true, false                 bool
//	any other atom                    Atom
//	binary (Elixir string)            string                     []byte
//	integer, fits in 64 bits          int64                      int, int8…int32, uint…uint64
//	integer, larger (bignum)          *big.Int
//	float                             float64                    float32
//	proper list, [] and charlist      []any (charlist: int64s)   []string
//	tuple                             Tuple
//	map whose keys are all binaries   map[string]any             map[string]string
//	any other map                     Map
//
// A Go string may hold any bytes, as an Erlang binary may: a decoded string
// is not necessarily UTF-8. Encode emits atoms as SMALL_ATOM_UTF8_EXT (or
// ATOM_UTF8_EXT past 255 bytes), which every OTP release since R16 reads,
// integers in the smallest form Erlang itself would use, and maps with
// binary keys in sorted order, as Erlang does for maps of up to 32 keys.
//
// # What is refused
//
// Decode refuses, with an error wrapping [ErrUnsupported] or
// [ErrExecutable], every term a session does not hold: functions and
// exports (executable, as Plug's non-executable decoding refuses them),
// pids, ports, references, bitstrings whose length is not whole bytes,
// improper lists, the old string-encoded floats, atom cache references and
// zlib-compressed terms (which could inflate a small cookie into a large
// allocation). A session that holds any of them reads as absent in Go. Maps
// with duplicate keys are refused, as Erlang refuses them.
//
// Decoding is bounded ([Limits]): input size, nesting depth and the number
// of terms. Every length read from the input is checked against the bytes
// that remain before anything is allocated, so memory stays proportional
// to the input whatever it claims.
//
// # Why not a library
//
// The Go ETF libraries found (github.com/okeuday/erlang_go, full ETF;
// github.com/goerlang/etf, unfinished since 2013; nicolito128/goetf,
// pre-1.0) decode the whole format: they inflate compressed terms without
// an output bound and turn functions, pids and references into Go values
// rather than refusing them, and they would be a new dependency of the
// library's root module. The subset a session needs is small, so it is
// written here, with the refusals and bounds above, and fuzzed.
package etf
