package redissessions

import (
	"errors"
	"strings"
	"time"
	"unicode/utf16"
)

// The codes of Node's validation errors (its Error.name). Each is also a
// sentinel: errors.Is(err, ErrInvalidFormat) holds for every
// [ValidationError] with that code.
var (
	// ErrMissingParameter: a required item is absent or empty.
	ErrMissingParameter = errors.New("missingParameter")
	// ErrInvalidFormat: an item does not have the syntax Node accepts.
	ErrInvalidFormat = errors.New("invalidFormat")
	// ErrInvalidValue: a number out of range, or a d that is not a flat
	// object of strings, numbers, booleans and nulls.
	ErrInvalidValue = errors.New("invalidValue")
)

// ValidationError is an argument the Node library would refuse. Message
// is Node's own text (for example "Invalid app format"), so logs read the
// same on both sides; Code is one of [ErrMissingParameter],
// [ErrInvalidFormat] and [ErrInvalidValue], which errors.Is matches.
type ValidationError struct {
	Code    error  // ErrMissingParameter, ErrInvalidFormat or ErrInvalidValue
	Item    string // "app", "id", "ip", "token", "ttl", "deltaTime" or "d"
	Message string // Node's message, verbatim
}

// Error returns the package name and Node's message.
func (e *ValidationError) Error() string { return "redissessions: " + e.Message }

// Is reports whether target is e's code.
func (e *ValidationError) Is(target error) bool { return target == e.Code }

func missing(item string) error {
	return &ValidationError{Code: ErrMissingParameter, Item: item, Message: "No " + item + " supplied"}
}

func badFormat(item string) error {
	return &ValidationError{Code: ErrInvalidFormat, Item: item, Message: "Invalid " + item + " format"}
}

func badValue(item, msg string) error {
	return &ValidationError{Code: ErrInvalidValue, Item: item, Message: msg}
}

// validateApp applies Node's /^([\w-]){3,20}$/.
func validateApp(app string) error {
	if app == "" {
		return missing("app")
	}
	if len(app) < 3 || len(app) > 20 {
		return badFormat("app")
	}
	for i := 0; i < len(app); i++ {
		if !isWordByte(app[i]) && app[i] != '-' {
			return badFormat("app")
		}
	}
	return nil
}

func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}

// validateID applies Node's /^(.*?){1,128}$/, which in effect accepts any
// non-empty string without a line terminator, and adds the one rule Node
// lacks: no ':'. Node's wiper and killall split "app:token:id" and
// "token:id" on every ':', so such an id would leave keys behind forever.
func validateID(id string) error {
	if id == "" {
		return missing("id")
	}
	if hasLineTerminator(id) || strings.IndexByte(id, ':') >= 0 {
		return badFormat("id")
	}
	return nil
}

// validateIP applies Node's /^.{1,39}$/: 1 to 39 UTF-16 code units, none
// a line terminator. An empty ip counts as missing, as in Node.
func validateIP(ip string) error {
	if ip == "" {
		return missing("ip")
	}
	if hasLineTerminator(ip) || utf16Len(ip) > 39 {
		return badFormat("ip")
	}
	return nil
}

// validateToken applies Node's /^([\dA-Za-z]){64}$/ and this store's
// stricter shape (see [Store.CheckToken]).
func validateToken(token string) error {
	if token == "" {
		return missing("token")
	}
	if !validToken(token) {
		return badFormat("token")
	}
	return nil
}

// MinTTL is the shortest time-to-live Node accepts, and MinWindow the
// shortest activity window (its deltaTime).
const (
	MinTTL    = 10 * time.Second
	MinWindow = 10 * time.Second
)

func ttlTooShort() error { return badValue("ttl", "ttl must be a positive integer >= 10") }

// validateWindow applies Node's deltaTime >= 10, in whole seconds.
func validateWindow(window time.Duration) (int64, error) {
	if window < MinWindow {
		return 0, badValue("deltaTime", "deltaTime must be a positive integer >= 10")
	}
	return int64(window / time.Second), nil
}

// hasLineTerminator reports whether s holds a character JavaScript's '.'
// does not match.
func hasLineTerminator(s string) bool {
	return strings.ContainsAny(s, "\n\r\u2028\u2029")
}

// utf16Len is the length of s as JavaScript counts it.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
