package sessions

import (
	"errors"
	"fmt"
)

// Outcome sentinels. Stores return them (possibly wrapped) to report the
// outcome of an operation; callers test them with [errors.Is].
var (
	// ErrNotFound reports that no live session answers a token or ID: it was
	// malformed, unknown, expired or cleared. The four are deliberately not
	// told apart to callers; the observer sees the reason.
	ErrNotFound = errors.New("sessions: not found")

	// ErrExpired and ErrTampered refine ErrNotFound for stores that can
	// tell why a token names no live session (a sealed cookie store checks
	// deadlines and authenticity itself). Both wrap ErrNotFound, so callers
	// need only test for that; the Manager reports the reason to its
	// observer.
	ErrExpired  = fmt.Errorf("%w: expired", ErrNotFound)
	ErrTampered = fmt.Errorf("%w: failed authentication", ErrNotFound)

	// ErrConflict reports that a record changed between the load and the
	// write that depended on it, or that Create met a live record.
	ErrConflict = errors.New("sessions: changed concurrently")

	// ErrUnsupported reports an operation the store cannot perform, such as
	// listing an owner's sessions on a store without an owner index. It is
	// the standard library's [errors.ErrUnsupported].
	ErrUnsupported = errors.ErrUnsupported

	// ErrStoreFull reports that a bounded store refused a new record.
	ErrStoreFull = errors.New("sessions: store full")

	// ErrValueTooLarge reports that an encoded value exceeds its codec's bound.
	ErrValueTooLarge = errors.New("sessions: value too large")

	// ErrCookieTooLarge reports that a Set-Cookie header would exceed the
	// 4096 bytes browsers are required to keep.
	ErrCookieTooLarge = errors.New("sessions: cookie too large")

	// ErrDecode reports that stored bytes do not decode into a value: an
	// unknown format byte, data over the codec's bounds, or a value that no
	// longer fits V. Stores wrap it; the Manager turns it into "not found"
	// and a decode-failed event, so a bad record never breaks a request.
	ErrDecode = errors.New("sessions: stored value does not decode")

	// ErrBackend marks every other store failure. The Manager wraps such
	// errors as "ErrBackend: op: cause", so errors.Is holds for ErrBackend
	// and for the cause (for example context.DeadlineExceeded).
	ErrBackend = errors.New("sessions: backend failure")
)
