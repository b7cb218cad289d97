// Package codecopt is the codec option the stores share: their options
// are not generic, so [Choose] keeps the codec a generic WithCodec was
// given as an any, and [Resolve] checks it against the store's value type
// when the generic constructor runs.
package codecopt

import (
	"errors"
	"fmt"

	"github.com/typedsession/sessions"
)

// Choose records c in *chosen, or, for a nil codec, an error naming pkg's
// WithCodec in *errs, which the store's constructor returns.
func Choose[V any](pkg string, c sessions.Codec[V], chosen *any, errs *[]error) {
	if c == nil {
		*errs = append(*errs, errors.New(pkg+": WithCodec(nil)"))
		return
	}
	*chosen = c
}

// Resolve returns the codec recorded by [Choose] if it is for V, and
// [sessions.JSON] when none was recorded; custom reports whether one was.
// It fails, naming pkg's WithCodec, for a codec of another value type.
func Resolve[V any](pkg string, chosen any) (codec sessions.Codec[V], custom bool, err error) {
	if chosen == nil {
		return sessions.JSON[V](), false, nil
	}
	codec, ok := chosen.(sessions.Codec[V])
	if !ok {
		return nil, true, fmt.Errorf("%s: WithCodec got a %T, want a sessions.Codec[%T]", pkg, chosen, *new(V))
	}
	return codec, true, nil
}
