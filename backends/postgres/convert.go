package postgres

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/typedsession/sessions"
)

// dbTimes rewrites each instant as the store sends it: truncated to the
// microsecond, PostgreSQL's precision, so that every instant, stored or
// compared, is rounded the same way (toward the past). It refuses instants
// outside the years 1 to 9999, which no session needs and which the
// driver's integer arithmetic could not carry intact.
func dbTimes(ts ...*time.Time) error {
	for _, t := range ts {
		if y := t.Year(); y < 1 || y > 9999 {
			return fmt.Errorf("postgres: instant %v out of range", *t)
		}
		*t = t.Truncate(time.Microsecond)
	}
	return nil
}

// noVersion is an expected version no row has (the table requires
// versions above zero). It stands in for versions the bigint column
// cannot hold, so that they are compared, and fail, in SQL like any other
// wrong version.
const noVersion int64 = -1

// expectedVersion returns v as the bigint to compare the stored version
// with: noVersion when v does not fit.
func expectedVersion(v uint64) int64 {
	if v > math.MaxInt64 {
		return noVersion
	}
	return int64(v)
}

// replaceVersions returns the expected and new versions of a Replace
// with ifVersion. When ifVersion+1 does not fit a bigint no stored
// version can be replaced, so the expected version is noVersion.
func replaceVersions(ifVersion uint64) (expected, next int64) {
	if ifVersion >= math.MaxInt64 {
		return noVersion, 1
	}
	return int64(ifVersion), int64(ifVersion) + 1
}

// errCorruptRow reports a row that the schema's constraints should have
// prevented, such as a version below one: edited by hand, or written by
// something else.
var errCorruptRow = errors.New("postgres: corrupt row")

// recordVersion returns a stored version as a Record's.
func recordVersion(v int64) (uint64, error) {
	if v < 1 {
		return 0, fmt.Errorf("%w: %w: version %d", sessions.ErrDecode, errCorruptRow, v)
	}
	return uint64(v), nil
}

// decode turns stored bytes into a value with codec, making sure the
// error wraps sessions.ErrDecode whatever the codec returned, so a bad
// row reads as absent and never as a store failure.
func decode[V any](codec sessions.Codec[V], data []byte) (V, error) {
	v, err := codec.Unmarshal(data)
	if err == nil {
		return v, nil
	}
	var zero V
	if errors.Is(err, sessions.ErrDecode) {
		return zero, fmt.Errorf("postgres: %w", err)
	}
	return zero, fmt.Errorf("postgres: %w: %w", sessions.ErrDecode, err)
}
